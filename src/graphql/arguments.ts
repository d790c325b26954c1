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
