// The stats read model: how many events of each type the log holds, kept by a
// consumer of the global log with its own checkpoint. Its rows and checkpoint
// commit together, so the counts are exact as of that checkpoint, and only
// this consumer writes them: an append never waits on a counter row.
import { lockCheckpoint, resetCheckpoint } from "../consumers/checkpoints.ts";
import type { Consumer } from "../consumers/consumer.ts";
import { START, encodePosition, type Queryable, type StoredEvent } from "../event-store/index.ts";

export const STATS_CONSUMER = "stats";

export function statsConsumer(): Consumer {
  return {
    name: STATS_CONSUMER,
    eventTypes: "all",
    async apply(db, events) {
      await db.query(
        `INSERT INTO query.event_counts (event_type, event_count, latest_sequence)
         SELECT event_type, count(*), max(global_sequence) FROM unnest($1::text[], $2::bigint[]) AS e(event_type, global_sequence) GROUP BY event_type
         ON CONFLICT (event_type) DO UPDATE SET event_count = event_counts.event_count + excluded.event_count,
           latest_sequence = greatest(event_counts.latest_sequence, excluded.latest_sequence)`,
        [events.map((event: StoredEvent) => event.type), events.map((event) => event.globalSequence)],
      );
    },
  };
}

export interface EventCounts {
  /** Event type -> events of that type, as of `position`. */
  byType: Map<string, number>;
  total: number;
  latestSequence: string | null;
  /** The stats consumer's checkpoint; null before it has read anything. */
  position: string | null;
}

export async function readEventCounts(db: Queryable): Promise<EventCounts> {
  // One statement, so the rows and the checkpoint are read from one snapshot.
  const { rows } = await db.query<{ event_type: string | null; event_count: string | null; latest_sequence: string | null; transaction_id: string; global_sequence: string }>(
    `SELECT e.event_type, e.event_count::text AS event_count, e.latest_sequence::text AS latest_sequence,
            coalesce(c.transaction_id, '0'::xid8)::text AS transaction_id, coalesce(c.global_sequence, 0)::text AS global_sequence
     FROM (SELECT 1) AS one
     LEFT JOIN query.checkpoints c ON c.consumer = $1
     LEFT JOIN query.event_counts e ON true
     ORDER BY e.event_type`,
    [STATS_CONSUMER],
  );
  const byType = new Map<string, number>();
  let latest: bigint | null = null;
  for (const row of rows) {
    if (row.event_type === null) continue;
    byType.set(row.event_type, Number(row.event_count));
    const sequence = BigInt(row.latest_sequence!);
    if (latest === null || sequence > latest) latest = sequence;
  }
  const checkpoint = rows[0]!;
  const position = Number(checkpoint.global_sequence) === 0 ? null : encodePosition({ transactionId: checkpoint.transaction_id, globalSequence: Number(checkpoint.global_sequence) });
  return { byType, total: [...byType.values()].reduce((sum, n) => sum + n, 0), latestSequence: latest === null ? null : String(latest), position };
}

/**
 * Rebuild: empty the counts and put the checkpoint back at the start of the
 * log in one transaction; the consumer then counts every event again. Until
 * it has caught up, the answers say so through their position.
 */
export async function restartEventCounts(db: Queryable): Promise<void> {
  await db.query("BEGIN");
  try {
    await lockCheckpoint(db, STATS_CONSUMER);
    await db.query("DELETE FROM query.event_counts");
    await resetCheckpoint(db, STATS_CONSUMER, START, 0);
    await db.query("COMMIT");
  } catch (error) {
    await db.query("ROLLBACK").catch(() => undefined);
    throw error;
  }
}
