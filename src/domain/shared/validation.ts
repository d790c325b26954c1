import { ValidationError } from "./errors.ts";

export interface TextRule {
  field: string;
  min?: number;
  max: number;
}

/** Trims and checks the length of a required text field. */
export function requiredText(value: string | undefined | null, rule: TextRule): string {
  const text = (value ?? "").trim();
  const min = rule.min ?? 1;
  if (text.length < min) throw new ValidationError(`${rule.field} is required`, { field: rule.field });
  if (text.length > rule.max) {
    throw new ValidationError(`${rule.field} must be at most ${rule.max} characters`, { field: rule.field, max: rule.max });
  }
  return text;
}

/** Trims an optional text field; blank becomes null. */
export function optionalText(value: string | undefined | null, rule: TextRule): string | null {
  if (value === undefined || value === null || value.trim() === "") return null;
  return requiredText(value, rule);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: unknown): value is string {
  return typeof value === "string" && UUID.test(value);
}

export function requiredId(value: string | undefined | null, field: string): string {
  if (!value || !UUID.test(value)) throw new ValidationError(`${field} must be a UUID`, { field, value: value ?? null });
  return value.toLowerCase();
}

/** A required text field of an update: its new value, or undefined when absent (null) or unchanged. */
export function changedText(value: string | undefined | null, current: string, rule: TextRule): string | undefined {
  if (value === undefined || value === null) return undefined;
  const text = requiredText(value, rule);
  return text === current ? undefined : text;
}

/** An optional text field of an update (null or blank clears it): its new value, or undefined when absent or unchanged. */
export function changedOptionalText(value: string | undefined | null, current: string | null, rule: TextRule): string | null | undefined {
  if (value === undefined) return undefined;
  const text = optionalText(value, rule);
  return text === current ? undefined : text;
}
