// A key's first answer stands, whatever it was: a success (with or without
// events) or a refusal that depends on the state (INSUFFICIENT_STOCK,
// CATEGORY_HAS_CHILDREN, ...), as Stripe does. Not stored: VALIDATION_ERROR
// (the same command always gets it again, so storing it would only cost a
// write) and failures that say nothing about the command (UNAVAILABLE,
// INTERNAL: the retry must run). A retry of the same command gets the stored
// answer; another command under the same key gets IDEMPOTENCY_KEY_REUSED.
import { serializeError } from "../domain/shared/errors.ts";
import type { StoredIdempotencyRecord } from "../event-store/index.ts";
import type { CommandEnvelope, CommandOutcome } from "./envelope.ts";
import { idempotencyKeyReused } from "./store-errors.ts";

/** What an idempotency key stores: the answer, and the command it answered. */
export interface StoredAnswer {
  outcome: CommandOutcome;
  command: string;
}

/** Whether an answer is kept for its key. */
export function keepsAnswer(outcome: CommandOutcome): boolean {
  return outcome.ok || outcome.error.kind === "illegal_state" || outcome.error.kind === "not_found";
}

export function storedAnswer(envelope: CommandEnvelope, outcome: CommandOutcome): StoredAnswer {
  return { outcome: outcome.ok ? { ...outcome, position: null } : outcome, command: fingerprint(envelope) };
}

/** The answer a command gets from a key that already answered (stored, or earlier in the same batch). */
export function replay(envelope: CommandEnvelope, first: StoredAnswer, position: string | null): CommandOutcome {
  if (first.command !== fingerprint(envelope)) return { ok: false, error: serializeError(idempotencyKeyReused()) };
  return first.outcome.ok ? { ...first.outcome, position, replayed: true } : first.outcome;
}

export function replayRecord(envelope: CommandEnvelope, record: StoredIdempotencyRecord): CommandOutcome {
  return replay(envelope, record.result as StoredAnswer, record.position);
}

/** Same key, same command: a retry. Same key, other command: a client mistake. */
function fingerprint(envelope: CommandEnvelope): string {
  return JSON.stringify(envelope.command);
}
