import { createYoga, type YogaServerInstance } from "graphql-yoga";
import type { GraphQLContext, ServerContext } from "./context.ts";
import { maskError } from "./errors.ts";
import { positionExtension } from "./plugins.ts";
import { accessControl } from "./access.ts";
import { queryLimits } from "./query-limits.ts";
import { buildSchema } from "./schema.ts";
import { refuseUnstorableStrings } from "./string-arguments.ts";
import { executionTelemetry } from "../telemetry/plugin.ts";
import { corsFor } from "../http/cross-origin.ts";
import { renderLocalGraphiQL } from "../http/graphiql.ts";

let server: YogaServerInstance<ServerContext, GraphQLContext> | undefined;

/** One yoga instance per isolate: building the schema is the expensive part. */
export function graphqlServer() {
  server ??= createYoga<ServerContext>({
    schema: buildSchema(),
    graphqlEndpoint: "/graphql",
    landingPage: false,
    graphiql: { title: "edge-cqrs GraphiQL" },
    renderGraphiQL: renderLocalGraphiQL,
    // isDev would add the parser's originalError (internals) to error answers.
    maskedErrors: { maskError, isDev: false },
    cors: (request, context) => corsFor(request, (context as ServerContext | undefined)?.env),
    // maskError logs what is unexpected; domain errors are answers, not incidents.
    logging: false,
    plugins: [queryLimits(), accessControl(), refuseUnstorableStrings(), positionExtension(), executionTelemetry()],
  });
  return server;
}
