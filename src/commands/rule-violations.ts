// Rules re-checked inside the append statement (migrations/*_guards.sql) raise
// SQLSTATE ES100 with the domain error as JSON; this turns it back into one.
import { deserializeError, type SerializedError } from "../domain/shared/errors.ts";
import { isPostgresError } from "../event-store/index.ts";

export function translateRuleViolation(error: unknown): unknown {
  if (!isPostgresError(error, "ES100") || !error.detail) return error;
  return deserializeError(JSON.parse(error.detail) as SerializedError);
}
