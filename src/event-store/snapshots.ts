import { sql, type SQL } from "drizzle-orm";
import { PgDialect } from "drizzle-orm/pg-core";
import type { AlongsideStatement } from "./append.ts";
import { noUpcast, type Upcast } from "./upcasters.ts";
import type { LoadedEvent, Queryable } from "./types.ts";

export interface Snapshot<State> {
  streamId: string;
  streamType: string;
  version: number;
  /** The shape of `state`: a snapshot with another stateVersion is ignored. */
  stateVersion: number;
  state: State;
}

const dialect = new PgDialect();

/** Stores a snapshot unless a newer one is already there. */
export async function saveSnapshot<State>(db: Queryable, snapshot: Snapshot<State>): Promise<void> {
  const { sql: text, params } = dialect.sqlToQuery(snapshotUpsert(snapshot));
  await db.query(text, params);
}

/**
 * The same upsert, to commit in the append's statement (appendToStream's
 * `alongside`) instead of a round trip after it: a hot aggregate's batch
 * crossed a snapshot boundary nearly every time. It returns a row only when
 * it wrote (a newer snapshot holds it back, which is fine), so no minimum.
 */
export function snapshotAlongside<State>(snapshot: Snapshot<State>): AlongsideStatement {
  return { statement: snapshotUpsert(snapshot) };
}

function snapshotUpsert<State>({ streamId, streamType, version, stateVersion, state }: Snapshot<State>): SQL {
  return sql`INSERT INTO event_store.snapshots (aggregate_id, aggregate_type, version, state_version, data)
     VALUES (${streamId}::uuid, ${streamType}::text, ${version}::integer, ${stateVersion}::integer, ${JSON.stringify(state)}::jsonb)
     ON CONFLICT (aggregate_id) DO UPDATE
       SET version = excluded.version, state_version = excluded.state_version, data = excluded.data, created_at = now()
       WHERE snapshots.version < excluded.version OR snapshots.state_version <> excluded.state_version
     RETURNING 1`;
}

export interface AggregateStreamOptions<State> {
  initialState: () => State;
  evolve: (state: State, event: LoadedEvent) => State;
  /** Start from the stored snapshot of this state version, if any. */
  snapshot?: { stateVersion: number };
  /** Fold only a stream of this type: another type's stream comes back as initialState. */
  streamType?: string;
  upcast?: Upcast;
}

export interface AggregatedStream<State> {
  state: State;
  /** Version of the stream's last event (0 for a stream with no events), folded in or not. */
  version: number;
  /** The type of the stream's events, null for a stream with none. */
  streamType: string | null;
  /** Version of the snapshot it started from, if one was used. */
  snapshotVersion: number | null;
  eventsApplied: number;
}

/**
 * Snapshot row first (when one of the state version and stream type is
 * there), then the events after it, with only the columns a fold reads: the
 * driver decodes every column of every row, and metadata, times and positions
 * were 40% of the CPU of a load without a snapshot (docs/BENCHMARKS.md, "Cold
 * load: what a load with a snapshot is made of"). The snapshot row is the one
 * without an event type, and comes first by version alone: the tail starts
 * after it. Sent as a named statement: each connection parses and plans it
 * once: parsing and planning were three quarters of a snapshot load's server
 * CPU ("Cold load: the load statement as a named statement").
 */
// Both exported for the cold-load probes (scripts/bench/cold-load-*.ts), which measure this statement.
export const SNAPSHOT = `SELECT version, data, aggregate_type FROM event_store.snapshots
    WHERE aggregate_id = $1 AND state_version = $2::integer AND ($3::text IS NULL OR aggregate_type = $3)`;
// The snapshot is looked up twice (an index probe each) rather than once in a
// CTE: materializing the CTE cost the server more than the second probe.
export const LOAD_TEXT = `SELECT aggregate_type, NULL::text AS event_type, data, version, NULL::integer AS schema_version
    FROM (${SNAPSHOT}) AS snapshot
  UNION ALL
  SELECT aggregate_type, event_type, event_data, event_version, schema_version FROM event_store.events
  WHERE aggregate_id = $1 AND event_version > coalesce((SELECT version FROM (${SNAPSHOT}) AS snapshot), 0)
  ORDER BY version`;
const LOAD_STATEMENT_NAME = "event_store_aggregate_stream";

interface LoadRow {
  aggregate_type: string;
  /** Null on the snapshot row only (an event always has a type). */
  event_type: string | null;
  /** The snapshot's state on the snapshot row, the event's data on the others. */
  data: unknown;
  version: number;
  /** Null on the snapshot row. */
  schema_version: number;
}

/** Rebuilds a stream's state: snapshot (when asked for and valid) + tail, in one round trip. */
export async function aggregateStream<State>(db: Queryable, streamId: string, options: AggregateStreamOptions<State>): Promise<AggregatedStream<State>> {
  const stateVersion = options.snapshot?.stateVersion ?? null;
  const { rows } = await db.query<LoadRow>({
    name: LOAD_STATEMENT_NAME,
    text: LOAD_TEXT,
    values: [streamId, stateVersion, options.streamType ?? null],
  });

  const upcast = options.upcast ?? noUpcast;
  let state = options.initialState();
  let version = 0;
  let snapshotVersion: number | null = null;
  let eventsApplied = 0;
  const streamType = rows[0]?.aggregate_type ?? null;
  if (options.streamType !== undefined && streamType !== null && streamType !== options.streamType) {
    return { state, version: rows.at(-1)!.version, streamType, snapshotVersion, eventsApplied };
  }
  for (const row of rows) {
    if (row.event_type === null) {
      state = row.data as State;
      version = snapshotVersion = row.version;
      continue;
    }
    state = options.evolve(state, upcast({ type: row.event_type, data: row.data, version: row.version, schemaVersion: row.schema_version }));
    version = row.version;
    eventsApplied++;
  }
  return { state, version, streamType, snapshotVersion, eventsApplied };
}
