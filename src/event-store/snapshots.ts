import { EVENT_COLUMNS, toStoredEvent, type EventRow } from "./rows.ts";
import { noUpcast, type Upcast } from "./upcasters.ts";
import type { Queryable, StoredEvent } from "./types.ts";

export interface Snapshot<State> {
  streamId: string;
  streamType: string;
  version: number;
  /** The shape of `state`: a snapshot with another stateVersion is ignored. */
  stateVersion: number;
  state: State;
}

/** Stores a snapshot unless a newer one is already there. */
export async function saveSnapshot<State>(db: Queryable, snapshot: Snapshot<State>): Promise<void> {
  await db.query(
    `INSERT INTO event_store.snapshots (aggregate_id, aggregate_type, version, state_version, data)
     VALUES ($1, $2, $3, $4, $5::jsonb)
     ON CONFLICT (aggregate_id) DO UPDATE
       SET version = excluded.version, state_version = excluded.state_version, data = excluded.data, created_at = now()
       WHERE snapshots.version < excluded.version OR snapshots.state_version <> excluded.state_version`,
    [snapshot.streamId, snapshot.streamType, snapshot.version, snapshot.stateVersion, JSON.stringify(snapshot.state)],
  );
}

export interface AggregateStreamOptions<State, Event extends StoredEvent> {
  initialState: () => State;
  evolve: (state: State, event: Event) => State;
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
 * there), then the events after it. Sent as a named statement: each
 * connection parses and plans it once: parsing and planning were three
 * quarters of a snapshot load's server CPU (docs/BENCHMARKS.md, "Cold load:
 * the load statement as a named statement").
 */
const LOAD_TEXT = `WITH snapshot AS (
    SELECT version, data, aggregate_type FROM event_store.snapshots
    WHERE aggregate_id = $1 AND state_version = $2::integer AND ($3::text IS NULL OR aggregate_type = $3)
  )
  SELECT true AS snapshot, NULL::text AS global_sequence, NULL::text AS transaction_id, $1::text AS aggregate_id,
         aggregate_type, NULL::text AS event_type, data AS event_data, NULL::jsonb AS metadata,
         version AS event_version, NULL::integer AS schema_version, NULL::timestamptz AS occurred_at
    FROM snapshot
  UNION ALL
  SELECT false AS snapshot, ${EVENT_COLUMNS} FROM event_store.events
  WHERE aggregate_id = $1 AND event_version > coalesce((SELECT version FROM snapshot), 0)
  ORDER BY snapshot DESC, event_version`;
const LOAD_STATEMENT_NAME = "event_store_aggregate_stream";

/** Rebuilds a stream's state: snapshot (when asked for and valid) + tail, in one round trip. */
export async function aggregateStream<State, Event extends StoredEvent = StoredEvent>(
  db: Queryable,
  streamId: string,
  options: AggregateStreamOptions<State, Event>,
): Promise<AggregatedStream<State>> {
  const stateVersion = options.snapshot?.stateVersion ?? null;
  const { rows } = await db.query<EventRow & { snapshot: boolean }>({
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
    return { state, version: rows.at(-1)!.event_version, streamType, snapshotVersion, eventsApplied };
  }
  for (const row of rows) {
    if (row.snapshot) {
      state = row.event_data as State;
      version = snapshotVersion = row.event_version;
      continue;
    }
    state = options.evolve(state, upcast(toStoredEvent(row)) as Event);
    version = row.event_version;
    eventsApplied++;
  }
  return { state, version, streamType, snapshotVersion, eventsApplied };
}
