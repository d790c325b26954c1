// A consumer batch's statements sent in fewer round trips. The driver sends one
// query at a time and waits for its answer, and a query with parameters holds
// one statement; a query without parameters may hold several, run in order,
// each with its own answer. So a batch's statements are written out with their
// parameters as SQL literals and sent together: BEGIN with the checkpoint move,
// then the apply's statements with COMMIT (docs/BENCHMARKS.md, "Writes: relayed
// wake-ups, batches in three round trips").
import type { NamedStatement, Queryable } from "../event-store/index.ts";

/** A statement and its parameters ($1, $2, ...), as the driver takes them. */
export interface Statement {
  text: string;
  values: readonly unknown[];
}

/**
 * A parameter as an SQL literal. Strings are escape strings (`E'...'`, with
 * `\` and `'` escaped), whose meaning does not depend on the server's
 * `standard_conforming_strings`: with it off, a plain `'...'` would read a
 * backslash as an escape, and a value could end its own literal. Only the
 * types our consumers pass are accepted; anything else is a programming error.
 */
export function sqlLiteral(value: unknown): string {
  if (value === null || value === undefined) return "NULL";
  if (typeof value === "string") return `E'${value.replaceAll("\\", "\\\\").replaceAll("'", "''")}'`;
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new TypeError(`not a finite number: ${value}`);
    return `(${value})`;
  }
  if (typeof value === "bigint") return `(${value})`;
  if (typeof value === "boolean") return value ? "TRUE" : "FALSE";
  if (Array.isArray(value)) {
    // An array literal's text, so an empty array keeps the type its cast gives it.
    const element = (item: unknown) => (item === null ? "NULL" : `"${String(item).replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`);
    return sqlLiteral(`{${value.map(element).join(",")}}`);
  }
  throw new TypeError(`no SQL literal for a ${typeof value}`);
}

/**
 * The statement with its parameters written in: one that can share a query
 * with others. Every `$n` in the text is taken for a parameter, so the text
 * must hold none of its own (in a string or a dollar-quoted body).
 */
export function inlined({ text, values }: Statement): string {
  return text.replace(/\$(\d+)/g, (_, n: string) => {
    const index = Number(n) - 1;
    if (index >= values.length) throw new RangeError(`no value for $${n}`);
    return sqlLiteral(values[index]);
  });
}

/**
 * Stands in for the connection while a consumer applies a batch: it keeps the
 * statements to send with COMMIT instead of running them. Each query answers
 * no rows, so an apply that must read what it wrote cannot run through it.
 */
export class DeferredStatements implements Queryable {
  readonly statements: string[] = [];

  query<Row = Record<string, unknown>>(text: string, params?: unknown[]): Promise<{ rows: Row[] }>;
  query<Row = Record<string, unknown>>(statement: NamedStatement): Promise<{ rows: Row[] }>;
  query<Row>(textOrStatement: string | NamedStatement, params: unknown[] = []): Promise<{ rows: Row[] }> {
    const statement = typeof textOrStatement === "string" ? { text: textOrStatement, values: params } : textOrStatement;
    this.statements.push(inlined(statement));
    return Promise.resolve({ rows: [] });
  }
}

/** The answer of a query's last statement (the driver answers an array when a query held several). */
export function lastAnswer<Row>(answer: { rows: Row[] } | { rows: Row[] }[]): { rows: Row[] } {
  return Array.isArray(answer) ? answer.at(-1)! : answer;
}
