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
  /**
   * The column that guards `version` (default "version"). Columns fed by another
   * stream (an order's saga fields) keep that stream's version in their own column.
   */
  versionColumn?: string;
}

interface FoldedRow {
  creates: boolean;
  values: RowValues;
}

/**
 * Folds a batch's changes per row (in log order) and writes them in two
 * statements per version column; rows are created under "version", so those go first.
 */
export async function applyRowChanges(db: Queryable, table: string, changes: readonly RowChange[]): Promise<void> {
  const columns = [...new Set(["version", ...changes.map((c) => c.versionColumn ?? "version")])];
  for (const column of columns) {
    const guarded = changes.filter((c) => (c.versionColumn ?? "version") === column);
    if (guarded.length > 0) await applyGuarded(db, table, column, guarded);
  }
}

async function applyGuarded(db: Queryable, table: string, versionColumn: string, changes: readonly RowChange[]): Promise<void> {
  const rows = new Map<string, FoldedRow>();
  for (const change of changes) {
    const row = rows.get(change.id);
    const values = { ...change.values, id: change.id, [versionColumn]: change.version };
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
       WHERE coalesce(${table}.${versionColumn}, 0) < excluded.${versionColumn}`,
      [JSON.stringify(inserts)],
    );
  }
  if (patches.length > 0) {
    const columns = [...new Set(patches.flatMap((p) => Object.keys(p)))].filter((c) => c !== "id");
    await db.query(
      `UPDATE ${table} AS t SET (${columns.join(", ")}) = (
         SELECT ${columns.map((c) => `r.${c}`).join(", ")} FROM jsonb_populate_record(t, to_jsonb(t) || p.value) AS r)
       FROM jsonb_array_elements($1::jsonb) AS p(value)
       WHERE t.id = (p.value->>'id')::uuid AND coalesce(t.${versionColumn}, 0) < (p.value->>'${versionColumn}')::integer`,
      [JSON.stringify(patches)],
    );
  }
}
