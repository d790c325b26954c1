import { ValidationError } from "./errors.ts";

export interface TextRule {
  field: string;
  min?: number;
  /** In characters as people count them (grapheme clusters): one emoji is one character. */
  max: number;
  /** Descriptions and reasons may hold line breaks and tabs; names and ids are one line. */
  multiline?: boolean;
}

// Text ends up in terminals, logs and other people's screens: a control
// character (ESC starts a terminal escape) or a bidi override/isolate (which
// makes text read differently from how it is stored) has no place in a name.
const CONTROL = /\p{Cc}/u;
const MULTILINE_CONTROL = /[^\P{Cc}\n\t]/u;
const BIDI_CONTROL = /[\u202A-\u202E\u2066-\u2069]/u;
const LONE_SURROGATE = /\p{Cs}/u;
const VISIBLE = /[\p{L}\p{N}\p{S}\p{P}]/u;
/** A bound on stored size too: one grapheme cluster can carry any number of combining marks. */
const CODE_UNITS_PER_CHARACTER = 16;

const graphemes = new Intl.Segmenter(undefined, { granularity: "grapheme" });

/** Characters as a reader counts them. */
export function characterCount(text: string): number {
  let count = 0;
  for (const _ of graphemes.segment(text)) count++;
  return count;
}

/** Normalizes (NFC, trimmed) and checks a required text field; see "What names may contain" in docs/ARCHITECTURE.md. */
export function requiredText(value: string | undefined | null, rule: TextRule): string {
  const field = rule.field;
  const raw = value ?? "";
  if (LONE_SURROGATE.test(raw)) throw new ValidationError(`${field} is not valid Unicode text`, { field });
  const text = (rule.multiline ? raw.replace(/\r\n?/g, "\n") : raw).normalize("NFC").trim();
  if ((rule.multiline ? MULTILINE_CONTROL : CONTROL).test(text)) {
    throw new ValidationError(`${field} must not contain control characters`, { field });
  }
  if (BIDI_CONTROL.test(text)) throw new ValidationError(`${field} must not contain bidi override or isolate characters`, { field });
  const min = rule.min ?? 1;
  if (text.length === 0 || characterCount(text) < min) throw new ValidationError(`${field} is required`, { field });
  if (!VISIBLE.test(text)) throw new ValidationError(`${field} must contain a visible character`, { field });
  if (text.length > rule.max * CODE_UNITS_PER_CHARACTER || characterCount(text) > rule.max) {
    throw new ValidationError(`${field} must be at most ${rule.max} characters`, { field, max: rule.max });
  }
  return text;
}

/** Like requiredText for an optional field; blank becomes null. */
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
