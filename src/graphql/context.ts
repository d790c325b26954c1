import type { YogaInitialContext } from "graphql-yoga";
import type { RequestConnection } from "../db/worker-connection.ts";

/** What the Worker hands yoga for each request. */
export interface ServerContext {
  env: Env;
  // Hono's ExecutionContext type lacks members that yoga's lists.
  executionContext: Pick<ExecutionContext, "waitUntil">;
  /** This request's Postgres connection, opened on first use. */
  db: RequestConnection;
}

export type GraphQLContext = ServerContext & YogaInitialContext;
