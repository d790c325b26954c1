import { ConcurrencyError } from "../domain/shared/errors.ts";

/** The stream was not at the version the caller expected. */
export class WrongExpectedVersionError extends ConcurrencyError {
  constructor(
    readonly streamId: string,
    readonly expected: string | number,
    readonly actual: number,
  ) {
    super(`stream ${streamId} is at version ${actual}, expected ${expected}`, { streamId, expected, actual });
  }
}

/** An idempotency key of the batch was stored by an earlier append: nothing was appended. */
export class IdempotencyKeyReusedError extends Error {
  constructor(readonly keys: string[]) {
    super(`idempotency key already used: ${keys.join(", ")}`);
    this.name = "IdempotencyKeyReusedError";
  }
}

interface PostgresError {
  code?: string;
  detail?: string;
  constraint?: string;
}

export function isPostgresError(error: unknown, code: string): error is PostgresError {
  return typeof error === "object" && error !== null && (error as PostgresError).code === code;
}
