import { EVENT_COLUMNS, toStoredEvent, type EventRow } from "./rows.ts";
import { START, encodePosition, type LogPosition } from "./position.ts";
import { noUpcast, type Upcast } from "./upcasters.ts";
import type { Queryable, StoredEvent } from "./types.ts";

export interface ReadStreamOptions {
  /** First version to read (default 1). */
  fromVersion?: number;
  /** Last version to read (default: the end). */
  toVersion?: number;
  /** Only events that occurred at or before this time (to the millisecond, as times are handed out). */
  until?: Date;
  /** At most this many events (default: all), after skipping `offset` of them (default 0). */
  limit?: number;
  offset?: number;
  upcast?: Upcast;
}

export async function readStream(db: Queryable, streamId: string, options: ReadStreamOptions = {}): Promise<StoredEvent[]> {
  const { rows } = await db.query<EventRow>(
    `SELECT ${EVENT_COLUMNS} FROM event_store.events
     WHERE aggregate_id = $1 AND event_version >= $2
       AND ($3::integer IS NULL OR event_version <= $3)
       AND ($4::timestamptz IS NULL OR date_trunc('milliseconds', occurred_at) <= $4)
     ORDER BY event_version LIMIT $5 OFFSET $6`,
    [streamId, options.fromVersion ?? 1, options.toVersion ?? null, options.until?.toISOString() ?? null, options.limit ?? null, options.offset ?? 0],
  );
  const upcast = options.upcast ?? noUpcast;
  return rows.map((row) => upcast(toStoredEvent(row)));
}

/** The type of the aggregate a stream belongs to, or null when there is no such stream. */
export async function readStreamType(db: Queryable, streamId: string): Promise<string | null> {
  // A stream has one type (the append enforces it): its first event says which.
  const { rows } = await db.query<{ stream_type: string }>(
    "SELECT aggregate_type AS stream_type FROM event_store.events WHERE aggregate_id = $1 ORDER BY event_version LIMIT 1",
    [streamId],
  );
  return rows[0]?.stream_type ?? null;
}

/** When the event with this version of a stream occurred, or null when there is none. */
export async function readOccurredAt(db: Queryable, streamId: string, version: number): Promise<Date | null> {
  const { rows } = await db.query<{ occurred_at: Date }>("SELECT occurred_at FROM event_store.events WHERE aggregate_id = $1 AND event_version = $2", [
    streamId,
    version,
  ]);
  return rows[0]?.occurred_at ?? null;
}

/**
 * The newest events, newest first: for people watching the log, not for
 * consumers (no gap-safety). "Newest" is the log's order: its primary key
 * (transaction_id, global_sequence) is the index there is to walk backwards.
 */
export async function readRecentEvents(db: Queryable, options: { limit: number; upcast?: Upcast }): Promise<StoredEvent[]> {
  // Order by the table columns: EVENT_COLUMNS casts global_sequence to text under the same name.
  const { rows } = await db.query<EventRow>(
    `SELECT ${EVENT_COLUMNS} FROM event_store.events ORDER BY events.transaction_id DESC, events.global_sequence DESC LIMIT $1`,
    [options.limit],
  );
  const upcast = options.upcast ?? noUpcast;
  return rows.map((row) => upcast(toStoredEvent(row)));
}

export interface ReadGlobalLogOptions {
  /** Read events strictly after this position (default: the beginning). */
  after?: LogPosition;
  limit?: number;
  upcast?: Upcast;
  /** Only the events that match every field given. */
  filter?: LogFilter;
}

export interface LogFilter {
  streamId?: string | null;
  streamType?: string | null;
  eventType?: string | null;
}

export interface GlobalLogPage {
  events: StoredEvent[];
  /** Where the next read starts: the last event's position, or `after` if none. */
  position: LogPosition;
  /**
   * Committed events exist at or past the xmin bound, so the page stops short
   * of them: an older transaction is still open. Reading again once it ends
   * will find them; nothing else is going to announce that moment.
   */
  heldBack: boolean;
}

/**
 * Reads the global log in (transaction_id, global_sequence) order, only up to
 * the oldest transaction still running, so an event that commits late with a
 * smaller sequence number is never skipped. The catch: one long transaction
 * anywhere in the cluster holds every reader back until it ends; `heldBack`
 * says so, decided in the same statement (one snapshot) as the page itself,
 * since a second statement could see the blocker gone and the page stale.
 * (It compares the newest transaction id with the bound: max() reads one
 * index entry, where an EXISTS over a bound from a CTE scanned the table.)
 */
export async function readGlobalLog(db: Queryable, options: ReadGlobalLogOptions = {}): Promise<GlobalLogPage> {
  const after = options.after ?? START;
  const filter = options.filter ?? {};
  const { rows } = await db.query<EventRow & { held_back: boolean }>(
    `WITH bound AS (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS xmin)
     SELECT page.*, coalesce((SELECT max(events.transaction_id) FROM event_store.events) >= (SELECT xmin FROM bound), false) AS held_back
     FROM bound LEFT JOIN LATERAL (
       SELECT ${EVENT_COLUMNS}, events.transaction_id AS by_transaction, events.global_sequence AS by_sequence
       FROM event_store.events
       WHERE (transaction_id, global_sequence) > ($1::xid8, $2::bigint) AND transaction_id < bound.xmin
         AND ($4::uuid IS NULL OR aggregate_id = $4) AND ($5::text IS NULL OR aggregate_type = $5) AND ($6::text IS NULL OR event_type = $6)
       ORDER BY events.transaction_id, events.global_sequence
       LIMIT $3
     ) AS page ON true
     ORDER BY page.by_transaction, page.by_sequence`,
    [after.transactionId, after.globalSequence, options.limit ?? 1000, filter.streamId ?? null, filter.streamType ?? null, filter.eventType ?? null],
  );
  const upcast = options.upcast ?? noUpcast;
  // With an empty page the outer join still yields one row, all nulls but held_back.
  const events = rows.filter((row) => row.global_sequence !== null).map((row) => upcast(toStoredEvent(row)));
  const last = events.at(-1);
  return {
    events,
    position: last ? { transactionId: last.transactionId, globalSequence: last.globalSequence } : after,
    heldBack: rows[0]?.held_back ?? false,
  };
}

/** The position of the newest event a gap-safe reader can see now. */
export async function readHeadPosition(db: Queryable): Promise<string | null> {
  const { rows } = await db.query<{ transaction_id: string; global_sequence: string }>(
    `SELECT transaction_id::text AS transaction_id, global_sequence::text AS global_sequence FROM event_store.events
     WHERE transaction_id < pg_snapshot_xmin(pg_current_snapshot())
     ORDER BY events.transaction_id DESC, events.global_sequence DESC LIMIT 1`,
  );
  const head = rows[0];
  return head ? encodePosition({ transactionId: head.transaction_id, globalSequence: Number(head.global_sequence) }) : null;
}

const XID8_LIMIT = 2n ** 64n;

/**
 * True when no event at or after `position` exists and none can still commit
 * there: the position is past the log's head, so waiting for it is pointless.
 * Judged on this snapshot, not the gap-safe xmin bound, so the position of an
 * event that has just committed is always within the log. A transaction still
 * in progress may yet commit events at the position, so it is not "beyond".
 */
export async function isBeyondLogHead(db: Queryable, position: LogPosition): Promise<boolean> {
  if (BigInt(position.transactionId) >= XID8_LIMIT) return true;
  const { rows } = await db.query<{ beyond: boolean }>(
    `SELECT NOT EXISTS (SELECT 1 FROM event_store.events WHERE (transaction_id, global_sequence) >= ($1::xid8, $2::bigint))
       AND ($1::xid8 >= pg_snapshot_xmax(pg_current_snapshot()) OR pg_visible_in_snapshot($1::xid8, pg_current_snapshot())) AS beyond`,
    [position.transactionId, position.globalSequence],
  );
  return rows[0]!.beyond;
}
