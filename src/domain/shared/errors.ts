// The few error classes the whole system speaks. Each maps to one GraphQL
// error code (src/graphql/errors.ts); domain codes refine them.

export abstract class DomainError extends Error {
  abstract readonly code: string;
  readonly details: Record<string, unknown>;

  constructor(message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = new.target.name;
    this.details = details;
  }
}

/** The command itself is malformed: nothing about the current state matters. */
export class ValidationError extends DomainError {
  readonly code = "VALIDATION_ERROR";
}

/** The command is well formed but the current state forbids it. */
export class IllegalStateError extends DomainError {
  readonly code: string;
  constructor(message: string, details: Record<string, unknown> = {}, code = "CONFLICT") {
    super(message, details);
    this.code = code;
  }
}

/** Someone else changed the stream first (expected version mismatch). */
export class ConcurrencyError extends DomainError {
  readonly code = "CONFLICT";
}

export class NotFoundError extends DomainError {
  readonly code: string;
  constructor(message: string, details: Record<string, unknown> = {}, code = "NOT_FOUND") {
    super(message, details);
    this.code = code;
  }
}

/** Temporarily unable to serve: the caller may retry. */
export class UnavailableError extends DomainError {
  readonly code = "UNAVAILABLE";
}
