// Structured logs: one JSON object per line, so a log pipeline (Workers Logs,
// Logpush, `wrangler tail --format json`) can filter on any field. Callers
// pass facts, never headers: tokens must not reach a log.

export type LogLevel = "info" | "warn" | "error";

export function logLine(level: LogLevel, message: string, fields: Record<string, string | number | boolean | null | undefined> = {}): void {
  const line = JSON.stringify({ level, message, time: new Date().toISOString(), ...fields });
  if (level === "error") console.error(line);
  else if (level === "warn") console.warn(line);
  else console.log(line);
}
