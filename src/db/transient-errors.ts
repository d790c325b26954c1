// Failures that say nothing about the command, only that the way to the
// database (or the Durable Object) broke: the caller may retry, so they are
// reported as UNAVAILABLE rather than INTERNAL.
import { UnavailableError } from "../domain/shared/errors.ts";

const TRANSIENT_SQLSTATES = [
  "08", // connection exception
  "57P01", // admin shutdown (a terminated backend)
  "57P02", // crash shutdown
  "57P03", // cannot connect now
  "40001", // serialization failure
  "40P01", // deadlock detected
  "53300", // too many connections
  "55P03", // lock not available (lock_timeout)
  "57014", // query canceled (statement_timeout): the same statement may pass when the database is less busy
];

const TRANSIENT_MESSAGES = [
  /connection (terminated|lost|closed|refused)/i,
  /network connection lost/i,
  /websocket/i,
  /durable object (reset|is overloaded|storage)/i,
  /called abortAllDurableObjects/i,
  /internal error; reference/i,
];

export function isTransient(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === "string" && TRANSIENT_SQLSTATES.some((prefix) => code.startsWith(prefix))) return true;
  return typeof message === "string" && TRANSIENT_MESSAGES.some((pattern) => pattern.test(message));
}

/** The error itself, or UNAVAILABLE if it is a transient failure. */
export function asRetryable(error: unknown): unknown {
  // An UNAVAILABLE from a Durable Object already says so (its message names the cause).
  if (error instanceof UnavailableError || !isTransient(error)) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new UnavailableError(`temporarily unavailable, retry (${reason})`, {});
}
