// Set-based, version-guarded writes for read models: a batch of events becomes
// at most two statements per table, and replaying an event is harmless because
// a row only changes when the event's version is newer than the row's.
import type { Queryable } from "../event-store/index.ts";

/** Column values keyed by snake_case column name. */
export type RowValues = Record<string, unknown>;

export interface RowChange {
  id: string;
  version: number;
  /** True when the event creates the row: `values` then holds every column. */
  creates: boolean;
  values: RowValues;
}

interface FoldedRow {
  creates: boolean;
  values: RowValues;
}

/** Folds a batch's changes per row (in log order) and writes them in two statements. */
export async function applyRowChanges(db: Queryable, table: string, changes: readonly RowChange[]): Promise<void> {
  const rows = new Map<string, FoldedRow>();
  for (const change of changes) {
    const row = rows.get(change.id);
    const values = { ...change.values, id: change.id, version: change.version };
    if (!row || change.creates) rows.set(change.id, { creates: change.creates, values });
    else row.values = { ...row.values, ...values };
  }
  const inserts = [...rows.values()].filter((r) => r.creates).map((r) => r.values);
  const patches = [...rows.values()].filter((r) => !r.creates).map((r) => r.values);

  if (inserts.length > 0) {
    const columns = Object.keys(inserts[0]!).filter((c) => c !== "id");
    await db.query(
      `INSERT INTO ${table} SELECT * FROM jsonb_populate_recordset(NULL::${table}, $1::jsonb)
       ON CONFLICT (id) DO UPDATE SET ${columns.map((c) => `${c} = excluded.${c}`).join(", ")}
       WHERE ${table}.version < excluded.version`,
      [JSON.stringify(inserts)],
    );
  }
  if (patches.length > 0) {
    const columns = [...new Set(patches.flatMap((p) => Object.keys(p)))].filter((c) => c !== "id");
    await db.query(
      `UPDATE ${table} AS t SET (${columns.join(", ")}) = (
         SELECT ${columns.map((c) => `r.${c}`).join(", ")} FROM jsonb_populate_record(t, to_jsonb(t) || p.value) AS r)
       FROM jsonb_array_elements($1::jsonb) AS p(value)
       WHERE t.id = (p.value->>'id')::uuid AND t.version < (p.value->>'version')::integer`,
      [JSON.stringify(patches)],
    );
  }
}
