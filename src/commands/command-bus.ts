// Routes a command to the AggregateDO that owns its aggregate and turns the
// outcome back into a result or a domain error.
import { v5 as uuidv5, v7 as uuidv7 } from "uuid";
import type { DomainCommand } from "../domain/shared/decider.ts";
import { deserializeError } from "../domain/shared/errors.ts";
import { asRetryable } from "../db/transient-errors.ts";
import type { CommandEnvelope, CommandOutcome, CommandSuccess } from "./envelope.ts";

export interface CommandOptions {
  /** From the Idempotency-Key header: a retry with the same key gets the first answer. */
  idempotencyKey?: string;
  correlationId?: string;
  causationId?: string;
  actor?: string;
}

export interface CommandTarget {
  aggregateType: string;
  aggregateId: string;
}

/** Namespace of the ids derived from idempotency keys (UUIDv5). */
const IDEMPOTENT_ID_NAMESPACE = "4f0c7a8e-2b1d-5c3e-9a6f-8d7e6c5b4a39";

/**
 * The id of a new aggregate: derived from the idempotency key when there is one,
 * so a retried create reaches the same AggregateDO; otherwise a fresh UUIDv7.
 */
export function newAggregateId(commandType: string, options: CommandOptions): string {
  return options.idempotencyKey ? uuidv5(scopedKey(commandType, options.idempotencyKey), IDEMPOTENT_ID_NAMESPACE) : uuidv7();
}

export async function sendCommand(
  namespace: Env["AGGREGATE"],
  target: CommandTarget,
  command: DomainCommand,
  options: CommandOptions = {},
): Promise<CommandSuccess> {
  const commandId = uuidv7();
  const envelope: CommandEnvelope = {
    ...target,
    // GraphQL input literals are null-prototype objects, which RPC cannot clone;
    // a command is plain JSON data anyway.
    command: JSON.parse(JSON.stringify(command)) as DomainCommand,
    idempotencyKey: options.idempotencyKey ? scopedKey(command.type, options.idempotencyKey) : undefined,
    metadata: {
      commandId,
      correlationId: options.correlationId ?? commandId,
      causationId: options.causationId ?? commandId,
      ...(options.actor ? { actor: options.actor } : {}),
    },
  };
  let outcome: CommandOutcome;
  try {
    // RPC typing cannot express the `unknown` view, so name the type we know it returns.
    outcome = (await namespace.getByName(`${target.aggregateType}:${target.aggregateId}`).execute(envelope)) as CommandOutcome;
  } catch (error) {
    // The Durable Object itself failed (reset, overloaded, aborted): the command may be retried.
    throw asRetryable(error);
  }
  if (!outcome.ok) throw deserializeError(outcome.error);
  return outcome;
}

// A key only answers for the same kind of command.
function scopedKey(commandType: string, key: string): string {
  return `${commandType}:${key}`;
}
