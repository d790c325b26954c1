import type { YogaInitialContext } from "graphql-yoga";
import type { Caller } from "./access.ts";
import { sendCommand, type CommandOptions } from "../commands/command-bus.ts";
import type { DomainCommand } from "../domain/shared/decider.ts";
import { ValidationError } from "../domain/shared/errors.ts";
import type { CommandSuccess } from "../commands/envelope.ts";
import type { DatabaseConnection } from "../db/worker-connection.ts";
import { comparePositions, decodePosition } from "../event-store/index.ts";

/** What the Worker hands yoga for each request. */
export interface ServerContext {
  env: Env;
  // Hono's ExecutionContext type lacks members that yoga's lists.
  executionContext: Pick<ExecutionContext, "waitUntil">;
  /** This request's Postgres connection, opened on first use. */
  db: DatabaseConnection;
  /** Log position of the newest event this request's mutations wrote. */
  position?: string;
  /** Some mutation of this request was answered from its Idempotency-Key. */
  replayed?: boolean;
  /** Response key of the top-level mutation field running now (see scopeMutationFields). */
  mutationField?: string;
  /** Who the token says sent the request (access.ts); absent in open mode and for anonymous reads. */
  caller?: Caller;
}

export type GraphQLContext = ServerContext & YogaInitialContext;

/** As Stripe bounds its keys; printable ASCII so a key logs and compares as it reads. */
const IDEMPOTENCY_KEY = /^[\x20-\x7e]{1,255}$/;

/**
 * Idempotency and tracing facts a mutation passes on with its command. The
 * Idempotency-Key is scoped by the mutation's response key, so each
 * top-level mutation of a document has its own key, and a retry of the
 * whole document replays each of them.
 */
export function commandOptions(context: GraphQLContext): CommandOptions {
  const headers = context.request.headers;
  const key = headers.get("idempotency-key");
  if (key !== null && !IDEMPOTENCY_KEY.test(key)) {
    throw new ValidationError("Idempotency-Key must be 1 to 255 printable ASCII characters", { header: "Idempotency-Key" });
  }
  return {
    idempotencyKey: key === null ? undefined : `${key}#${context.mutationField ?? ""}`,
    correlationId: headers.get("x-correlation-id") ?? undefined,
  };
}

/** Sends a mutation's command to its aggregate and records its position for the response. */
export async function runCommand(context: GraphQLContext, aggregateType: string, aggregateId: string, command: DomainCommand): Promise<CommandSuccess> {
  const result = await sendCommand(context.env.AGGREGATE, { aggregateType, aggregateId }, command, commandOptions(context));
  recordCommand(context, result);
  return result;
}

/** Remembers what a command did for the response's extensions (position, replayed). */
function recordCommand(context: GraphQLContext, result: CommandSuccess): void {
  if (result.replayed) context.replayed = true;
  const position = result.position;
  if (!position) return;
  if (!context.position || comparePositions(decodePosition(position), decodePosition(context.position)) > 0) {
    context.position = position;
  }
}
