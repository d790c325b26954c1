// GraphiQL on GET /graphql, from our own static assets: yoga's page loads its
// script, styles and editor workers from unpkg, which a machine without
// internet cannot reach (the page stays at "Loading..."). `npm run build`
// copies the same @graphql-yoga/graphiql files to public/graphiql/.
import { renderGraphiQL, type GraphiQLOptions } from "graphql-yoga";

const CDN_DIST = /https:\/\/unpkg\.com\/@graphql-yoga\/graphiql@[^/]+\/dist\//g;
const CDN_FAVICON = /https:\/\/raw\.githubusercontent\.com\/[^"'\s>]+\/favicon\.ico/g;

export function renderLocalGraphiQL(options: GraphiQLOptions): string {
  return renderGraphiQL(options).replace(CDN_DIST, "/graphiql/").replace(CDN_FAVICON, "/favicon.svg");
}
