// Structured logs: one JSON object per line, so a log pipeline (Workers Logs,
// Logpush, `wrangler tail --format json`) can filter on any field. Callers
// pass facts, never headers: tokens must not reach a log.

export type LogLevel = "info" | "warn" | "error";
export type LogFields = Record<string, string | number | boolean | null | undefined>;

export function logLine(level: LogLevel, message: string, fields: LogFields = {}): void {
  const line = JSON.stringify({ level, message, time: new Date().toISOString(), ...fields });
  if (level === "error") console.error(line);
  else if (level === "warn") console.warn(line);
  else console.log(line);
}

/**
 * An error as log fields: `code` is a domain error's code, a Postgres error's
 * SQLSTATE, or a saga step's failure code (the same `code` field everywhere);
 * INTERNAL when the error has none. Wrapped errors are told by their cause.
 */
export function errorFields(error: unknown): { code: string; error: string } {
  const own = error instanceof Error && "cause" in error && error.cause !== undefined && !("code" in error) ? error.cause : error;
  const fields = typeof own === "object" && own !== null ? (own as { code?: unknown; message?: unknown }) : {};
  return {
    code: typeof fields.code === "string" ? fields.code : "INTERNAL",
    error: typeof fields.message === "string" ? fields.message : String(own),
  };
}
