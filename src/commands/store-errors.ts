// The one place where the event store's errors become domain errors (and so
// GraphQL codes): the command handler uses it before an outcome crosses RPC,
// the GraphQL error mapping for everything else (a bad position in a query).
import { ConcurrencyError, IllegalStateError, ValidationError } from "../domain/shared/errors.ts";
import {
  IdempotencyKeyReusedError,
  InvalidPositionError,
  StreamTypeMismatchError,
  WrongExpectedVersionError,
} from "../event-store/index.ts";
import { translateRuleViolation } from "./rule-violations.ts";

/** The answer to a key that already answered another command. */
export function idempotencyKeyReused(): IllegalStateError {
  return new IllegalStateError("this Idempotency-Key was already used for a different command", {}, "IDEMPOTENCY_KEY_REUSED");
}

export function translateStoreError(error: unknown): unknown {
  if (error instanceof WrongExpectedVersionError) {
    const { streamId, expected, actual } = error;
    return new ConcurrencyError(error.message, { streamId, expected, actual });
  }
  if (error instanceof IdempotencyKeyReusedError) return idempotencyKeyReused();
  if (error instanceof StreamTypeMismatchError) {
    return new IllegalStateError(`${error.streamId} is the id of a ${error.actual}, not a ${error.expected}`, { id: error.streamId });
  }
  if (error instanceof InvalidPositionError) return new ValidationError(error.message, { position: error.position });
  return translateRuleViolation(error);
}
