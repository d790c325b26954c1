// Input checks shared by every resolver: done once, at the edge.
import { ValidationError } from "../domain/shared/errors.ts";
import { characterCount, requiredId } from "../domain/shared/validation.ts";

export const DEFAULT_LIMIT = 20;
export const MAX_LIMIT = 100;

export interface Page {
  limit: number;
  offset: number;
}

export function page(args: { limit?: number | null; offset?: number | null }): Page {
  // Larger limits are capped, not refused: a client asking for "all" gets a full page.
  const limit = Math.min(args.limit ?? DEFAULT_LIMIT, MAX_LIMIT);
  const offset = args.offset ?? 0;
  if (limit < 1) throw new ValidationError("limit must be at least 1", { field: "limit" });
  if (offset < 0) throw new ValidationError("offset must not be negative", { field: "offset" });
  return { limit, offset };
}

export function idArgument(value: string, field = "id"): string {
  return requiredId(value, field);
}

/** An ILIKE pattern matching the query anywhere, with LIKE's wildcards escaped. */
export function searchPattern(query: string): string {
  const text = query.trim();
  if (text.length === 0 || characterCount(text) > 100) throw new ValidationError("query must be 1 to 100 characters", { field: "query" });
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

const ISO_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-](\d{2}):(\d{2}))$/;

/**
 * A point in time as an ISO-8601 date-time with its zone ("Z" or an offset).
 * Date.parse alone takes "1" as a year and rolls 31 February over into March,
 * and Postgres refuses years JavaScript accepts (0, 10000 and beyond): only
 * real dates in years 0001-9999 (in UTC too) get through.
 */
export function timeArgument(value: string, field: string): Date {
  const refuse = () =>
    new ValidationError(`${field} must be an ISO-8601 date-time with a zone, in years 0001 to 9999, e.g. "2026-01-31T12:00:00Z"`, { field, value });
  const match = ISO_DATE_TIME.exec(value);
  if (!match) throw refuse();
  const [year, month, day, hour, minute, second = 0, offsetHours = 0, offsetMinutes = 0] = match.slice(1).map((part) => Number(part ?? 0));
  const lastDay = new Date(0);
  lastDay.setUTCFullYear(year!, month!, 0);
  if (month! < 1 || month! > 12 || day! < 1 || day! > lastDay.getUTCDate() || hour! > 23 || minute! > 59 || second! > 59) throw refuse();
  if (offsetHours > 23 || offsetMinutes > 59) throw refuse();
  const time = new Date(value);
  const utcYear = time.getUTCFullYear();
  if (Number.isNaN(time.getTime()) || utcYear < 1 || utcYear > 9999) throw refuse();
  return time;
}
