// What a consumer reads each pass, in one statement and without a transaction:
// its checkpoint (it must stand where the caller expects it, whose known
// position is a parameter: the page scans the (transaction_id, global_sequence)
// index from there; a plain `transaction_id >=` beside the row comparison
// bounds the scan where Postgres estimates a row comparison poorly), the next
// events of the types it handles (filtered in SQL, so a projection never
// fetches the rows it would drop) and how far the log
// reaches below the gap-safe bound. Events of other types are not read at
// all; the checkpoint moves past them (in the same statement when the page is
// empty, else by `advanceCheckpoint`), compare-and-set from the position the
// page started at, so two runners of one consumer can never both move it (and
// apply) from the same place.
import { EVENT_COLUMNS, toStoredEvent, type EventRow } from "../event-store/rows.ts";
import { START, comparePositions, type LogPosition, type Queryable, type StoredEvent } from "../event-store/index.ts";
import type { Statement } from "./batch-statements.ts";
import type { ConsumerStatus } from "./checkpoints.ts";

export interface ConsumerPage {
  status: ConsumerStatus;
  /** Where the checkpoint stood when the page was read. */
  checkpoint: LogPosition;
  /** The events of the consumer's types past the checkpoint, at most `limit`. */
  events: StoredEvent[];
  /** Where the checkpoint moves once these are applied: past every event read or passed over. */
  position: LogPosition;
  /** An older open transaction holds committed events back (see readGlobalLog). */
  heldBack: boolean;
  /**
   * For an empty page: whether the same statement moved the checkpoint to `position`, and past how many events.
   * "raced" also when the checkpoint did not stand where the caller expected: then `checkpoint` says where it stands.
   */
  passedOver: PassedOver;
}

/** Moved (0 when there was nothing to pass over); or someone else moved it first; or there is no row to move yet. */
export type PassedOver = { moved: number } | "raced" | "no checkpoint yet";

type PageRow = Partial<EventRow> & {
  status: ConsumerStatus;
  checkpoint_transaction_id: string;
  checkpoint_global_sequence: string;
  head_transaction_id: string | null;
  head_global_sequence: string | null;
  held_back: boolean;
  stored: boolean;
  moved: number;
  passed: number;
};

/**
 * A named statement: parsed once per connection, and after five custom
 * plans run on its generic plan wherever Postgres judges it no dearer (near
 * the head, where passes run, it does). Sent unnamed, every pass parsed and
 * planned this CTE anew, 1.0-3.6 ms against 0.3-0.7 ms of execution
 * (docs/BENCHMARKS.md, "Writes: the consumer page read as a named statement").
 * The generic plan is the custom plan's: the page an ordered scan of the
 * (transaction_id, global_sequence) index from the checkpoint under LIMIT,
 * the count of events passed over an index-only scan bounded on both sides.
 */
const PAGE_STATEMENT_NAME = "consumer_page";

const PAGE_TEXT = `WITH bound AS (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS xmin),
   checkpoint AS (
     SELECT coalesce(c.transaction_id, '0'::xid8) AS at_transaction, coalesce(c.global_sequence, 0) AS at_sequence,
            coalesce(c.status, 'running') AS status, c.consumer IS NOT NULL AS stored
     FROM (VALUES ($1::text)) AS wanted (consumer) LEFT JOIN query.checkpoints c ON c.consumer = wanted.consumer
   ),
   head AS (
     SELECT events.transaction_id AS at_transaction, events.global_sequence AS at_sequence FROM event_store.events, bound
     WHERE events.transaction_id < bound.xmin ORDER BY events.transaction_id DESC, events.global_sequence DESC LIMIT 1
   ),
   page AS MATERIALIZED (
     SELECT ${EVENT_COLUMNS}, events.transaction_id AS by_transaction, events.global_sequence AS by_sequence
     FROM event_store.events, bound, checkpoint
     WHERE checkpoint.status <> 'stopped' AND (checkpoint.at_transaction, checkpoint.at_sequence) = ($4::xid8, $5::bigint)
       AND events.transaction_id >= $4::xid8 AND (events.transaction_id, events.global_sequence) > ($4::xid8, $5::bigint)
       AND events.transaction_id < bound.xmin AND ($2::text[] IS NULL OR events.event_type = ANY ($2::text[]))
     ORDER BY events.transaction_id, events.global_sequence
     LIMIT $3
   ),
   -- Nothing here for this consumer: move its checkpoint to the head in this same
   -- statement, compare-and-set from the expected position.
   passed AS (
     SELECT count(*) AS n FROM event_store.events, checkpoint, head
     WHERE NOT EXISTS (SELECT 1 FROM page)
       AND events.transaction_id >= $4::xid8 AND (events.transaction_id, events.global_sequence) > ($4::xid8, $5::bigint)
       AND (events.transaction_id, events.global_sequence) <= (head.at_transaction, head.at_sequence)
   ),
   passed_over AS (
     UPDATE query.checkpoints AS c SET transaction_id = head.at_transaction, global_sequence = head.at_sequence,
       processed_count = c.processed_count + (SELECT n FROM passed), status = 'running',
       last_error = NULL, failed_sequence = NULL, failed_at = NULL, last_processed_at = now(), updated_at = now()
     FROM checkpoint, head
     WHERE c.consumer = $1 AND NOT EXISTS (SELECT 1 FROM page)
       AND (head.at_transaction, head.at_sequence) > ($4::xid8, $5::bigint)
       AND c.transaction_id = $4::xid8 AND c.global_sequence = $5::bigint AND c.status <> 'stopped'
     RETURNING 1
   )
   SELECT page.*, checkpoint.status, checkpoint.stored, checkpoint.at_transaction::text AS checkpoint_transaction_id,
          checkpoint.at_sequence::text AS checkpoint_global_sequence,
          (SELECT at_transaction::text FROM head) AS head_transaction_id, (SELECT at_sequence::text FROM head) AS head_global_sequence,
          coalesce((SELECT max(events.transaction_id) FROM event_store.events) >= (SELECT xmin FROM bound), false) AS held_back,
          (SELECT count(*) FROM passed_over)::integer AS moved, (SELECT n FROM passed)::integer AS passed
   FROM checkpoint LEFT JOIN page ON true
   ORDER BY page.by_transaction, page.by_sequence`;

/**
 * Upcasters change an event's data and schema version, never its type, so the
 * stored `event_type` is the type the consumer will see: filtering on it in
 * SQL is the same filter as after upcasting.
 */
export async function readConsumerPage(
  db: Queryable,
  consumer: string,
  eventTypes: readonly string[] | "all",
  limit: number,
  expected: LogPosition,
): Promise<ConsumerPage> {
  const { rows } = await db.query<PageRow>({
    name: PAGE_STATEMENT_NAME,
    text: PAGE_TEXT,
    values: [consumer, eventTypes === "all" ? null : eventTypes, limit, expected.transactionId, expected.globalSequence],
  });
  const first = rows[0]!;
  const checkpoint = { transactionId: first.checkpoint_transaction_id, globalSequence: Number(first.checkpoint_global_sequence) };
  if (comparePositions(checkpoint, expected) !== 0) {
    return { status: first.status, checkpoint, events: [], position: checkpoint, heldBack: first.held_back, passedOver: "raced" };
  }
  // With an empty page the outer join still yields one row, all nulls but the checkpoint's and the head's.
  const events = rows.filter((row) => row.global_sequence != null).map((row) => toStoredEvent(row as EventRow));
  const last = events.at(-1);
  const head = first.head_transaction_id === null ? checkpoint : { transactionId: first.head_transaction_id, globalSequence: Number(first.head_global_sequence) };
  // A full page stops at its last event; a short one has passed over everything up to the head.
  const position = first.status === "stopped" ? checkpoint : events.length === limit ? last! : comparePositions(head, checkpoint) > 0 ? head : checkpoint;
  const toMove = events.length === 0 && comparePositions(position, checkpoint) > 0;
  const passedOver: PassedOver = !toMove ? { moved: 0 } : first.moved === 1 ? { moved: first.passed } : first.stored ? "raced" : "no checkpoint yet";
  return { status: first.status, checkpoint, events, position, heldBack: first.held_back, passedOver };
}

/** The position just before an event: past every event before it, and not past it. */
export function justBefore(event: LogPosition): LogPosition {
  return { transactionId: event.transactionId, globalSequence: event.globalSequence - 1 };
}

export interface Lag {
  p50: number | null;
  p99: number | null;
}

/**
 * Moves the checkpoint from `from` to `to` if it still stands at `from` and
 * the consumer is not stopped; returns how many events it moved past, or null
 * when it had moved (another runner, a rebuild's swap, an admin's skip).
 * Inside a transaction it also locks the checkpoint until the transaction ends.
 */
export async function advanceCheckpoint(db: Queryable, consumer: string, from: LogPosition, to: LogPosition, lag?: Lag): Promise<number | null> {
  const { name, text, values } = checkpointMove(consumer, from, to, lag);
  // Named as the page read is, and for the same reason: the text is fixed (one per
  // kind of move), so Postgres need not parse and plan it on every pass.
  return movedPast(await db.query<MovedPast>({ name, text, values: [...values] }));
}

export type MovedPast = { moved_past: string };

/** What `checkpointMove` answers: how many events it moved past, or null when the checkpoint had moved. */
export function movedPast({ rows }: { rows: MovedPast[] }): number | null {
  return rows[0] ? Number(rows[0].moved_past) : null;
}

const MOVED = `WITH moved AS (
       SELECT count(*) AS n FROM event_store.events
       WHERE transaction_id BETWEEN $2::xid8 AND $4::xid8
         AND (transaction_id, global_sequence) > ($2::xid8, $3::bigint) AND (transaction_id, global_sequence) <= ($4::xid8, $5::bigint)
     )`;
const SET = `transaction_id = $4::xid8, global_sequence = $5::bigint, processed_count = c.processed_count + (SELECT n FROM moved),
       status = 'running', last_error = NULL, failed_sequence = NULL, failed_at = NULL,
       lag_p50_ms = coalesce($6, c.lag_p50_ms), lag_p99_ms = coalesce($7, c.lag_p99_ms), last_processed_at = now(), updated_at = now()`;
const STANDS_AT_FROM = "c.transaction_id = $2::xid8 AND c.global_sequence = $3::bigint AND c.status <> 'stopped'";
// A consumer that never moved has no row yet: the first move creates it (or finds one another runner just made).
const FIRST_MOVE = `${MOVED} INSERT INTO query.checkpoints AS c (consumer, transaction_id, global_sequence, processed_count, lag_p50_ms, lag_p99_ms, last_processed_at)
       SELECT $1, $4::xid8, $5::bigint, n, $6, $7, now() FROM moved
       ON CONFLICT (consumer) DO UPDATE SET ${SET} WHERE ${STANDS_AT_FROM}
       RETURNING (SELECT n FROM moved)::text AS moved_past`;
const MOVE = `${MOVED} UPDATE query.checkpoints AS c SET ${SET} WHERE c.consumer = $1 AND ${STANDS_AT_FROM} RETURNING (SELECT n FROM moved)::text AS moved_past`;

/**
 * The statement behind `advanceCheckpoint`, for a caller that sends it with
 * others. Its name goes with its text (one per kind of move), for a caller
 * that sends it as a named statement.
 */
export function checkpointMove(consumer: string, from: LogPosition, to: LogPosition, lag?: Lag): Statement & { name: string } {
  const first = isStart(from);
  return {
    name: first ? "consumer_checkpoint_first_move" : "consumer_checkpoint_move",
    text: first ? FIRST_MOVE : MOVE,
    values: [consumer, from.transactionId, from.globalSequence, to.transactionId, to.globalSequence, lag?.p50 ?? null, lag?.p99 ?? null],
  };
}

function isStart(position: LogPosition): boolean {
  return position.transactionId === START.transactionId && position.globalSequence === START.globalSequence;
}
