// The event store's own errors. It knows no domain: the command side and the
// GraphQL error mapping turn these into domain codes (src/commands/store-errors.ts).

abstract class EventStoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** The stream was not at the version the caller expected. */
export class WrongExpectedVersionError extends EventStoreError {
  constructor(
    readonly streamId: string,
    readonly expected: string | number,
    readonly actual: number,
  ) {
    super(`stream ${streamId} is at version ${actual}, expected ${expected}`);
  }
}

/** An idempotency key of the batch was stored by an earlier append: nothing was appended. */
export class IdempotencyKeyReusedError extends EventStoreError {
  constructor(readonly keys: string[]) {
    super(`idempotency key already used: ${keys.join(", ")}`);
  }
}

/** The stream exists with events of another aggregate type: nothing was appended. */
export class StreamTypeMismatchError extends EventStoreError {
  constructor(
    readonly streamId: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`stream ${streamId} belongs to ${actual}, not ${expected}`);
  }
}

/**
 * A statement committed alongside the append returned fewer rows than it
 * must (an upsert held back by its guard, say): nothing was written.
 */
export class AlongsideRowCountError extends EventStoreError {
  constructor(
    readonly counts: number[],
    readonly minimum: (number | null)[],
  ) {
    super(`statements alongside the append returned ${counts.join(", ")} rows, at least ${minimum.map((m) => m ?? 0).join(", ")} expected`);
  }
}

/** A string that is not a log position this store handed out. */
export class InvalidPositionError extends EventStoreError {
  constructor(readonly position: string) {
    super(`"${position}" is not a log position`);
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
