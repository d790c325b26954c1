import { DurableObject } from "cloudflare:workers";
import { IdleConnection } from "../src/db/idle-connection.ts";
import { databaseSettings } from "../src/db/worker-connection.ts";
import { graphqlServer } from "../src/graphql/server.ts";

/**
 * One of a few ("reader-<n>"): executes whole GraphQL reads (parse, validate,
 * resolve) next to a warm Postgres connection, so a read costs one hop to here
 * instead of a connect. The Worker sends it queries only (reader-routing.ts).
 */
export class ReaderDO extends DurableObject<Env> {
  #connection = new IdleConnection(() => databaseSettings(this.env));

  override fetch(request: Request): Promise<Response> {
    return Promise.resolve(graphqlServer().fetch(request, { env: this.env, executionContext: this.ctx, db: this.#connection }));
  }
}
