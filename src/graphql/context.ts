import type { YogaInitialContext } from "graphql-yoga";
import type { CommandOptions } from "../commands/command-bus.ts";
import type { RequestConnection } from "../db/worker-connection.ts";
import { comparePositions, decodePosition } from "../event-store/index.ts";

/** What the Worker hands yoga for each request. */
export interface ServerContext {
  env: Env;
  // Hono's ExecutionContext type lacks members that yoga's lists.
  executionContext: Pick<ExecutionContext, "waitUntil">;
  /** This request's Postgres connection, opened on first use. */
  db: RequestConnection;
  /** Log position of the newest event this request's mutations wrote. */
  position?: string;
}

export type GraphQLContext = ServerContext & YogaInitialContext;

/** Idempotency and tracing facts a mutation passes on with its command. */
export function commandOptions(context: GraphQLContext): CommandOptions {
  const headers = context.request.headers;
  return {
    idempotencyKey: headers.get("idempotency-key") ?? undefined,
    correlationId: headers.get("x-correlation-id") ?? undefined,
  };
}

/** Remembers the newest position written by this request (sent back in extensions.position). */
export function recordPosition(context: GraphQLContext, position: string | null): void {
  if (!position) return;
  if (!context.position || comparePositions(decodePosition(position), decodePosition(context.position)) > 0) {
    context.position = position;
  }
}
