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

/** An error as it crosses an RPC boundary (Durable Object to Worker). */
export interface SerializedError {
  kind: "validation" | "illegal_state" | "concurrency" | "not_found" | "unavailable" | "internal";
  code: string;
  message: string;
  details: Record<string, unknown>;
}

export function serializeError(error: unknown): SerializedError {
  if (error instanceof DomainError) {
    return { kind: kindOf(error), code: error.code, message: error.message, details: error.details };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { kind: "internal", code: "INTERNAL", message, details: {} };
}

export function deserializeError(error: SerializedError): Error {
  switch (error.kind) {
    case "validation":
      return new ValidationError(error.message, error.details);
    case "illegal_state":
      return new IllegalStateError(error.message, error.details, error.code);
    case "concurrency":
      return new ConcurrencyError(error.message, error.details);
    case "not_found":
      return new NotFoundError(error.message, error.details, error.code);
    case "unavailable":
      return new UnavailableError(error.message, error.details);
    case "internal":
      return new Error(error.message);
  }
}

function kindOf(error: DomainError): SerializedError["kind"] {
  if (error instanceof ValidationError) return "validation";
  if (error instanceof ConcurrencyError) return "concurrency";
  if (error instanceof NotFoundError) return "not_found";
  if (error instanceof UnavailableError) return "unavailable";
  return "illegal_state";
}
