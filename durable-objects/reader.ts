import { DurableObject } from "cloudflare:workers";
import { IdleConnection } from "../src/db/idle-connection.ts";
import { databaseSettings } from "../src/db/worker-connection.ts";
import { graphqlServer } from "../src/graphql/server.ts";

/**
 * One of a few ("reader-<n>"): executes whole GraphQL requests next to a warm
 * Postgres connection, so a read costs one hop to here instead of a connect.
 * Mutations pass through it to their AggregateDO as they would from the Worker.
 */
export class ReaderDO extends DurableObject<Env> {
  #connection = new IdleConnection(() => databaseSettings(this.env));

  override fetch(request: Request): Promise<Response> {
    return Promise.resolve(graphqlServer().fetch(request, { env: this.env, executionContext: this.ctx, db: this.#connection }));
  }
}
