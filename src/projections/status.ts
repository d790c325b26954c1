import { encodePosition, type Queryable } from "../event-store/index.ts";
import { STATS_CONSUMER } from "../stats/event-counts.ts";

export type ProjectionState = "running" | "catching_up" | "rebuilding" | "stopped" | "failed";

export interface ProjectionStatus {
  name: string;
  status: ProjectionState;
  processedCount: number;
  lastError: string | null;
  position: string | null;
  eventsBehind: number;
  msBehind: number;
  lastProcessedAt: string | null;
  lagP50Ms: number | null;
  lagP99Ms: number | null;
  failedSequence: string | null;
  rebuild: { position: string | null; processedCount: number; eventsBehind: number } | null;
}

/** Behind by events older than this counts as catching up rather than running. */
const CATCHING_UP_AFTER_MS = 2_000;

/** The suffix of the checkpoint a rebuild runs under. */
export const REBUILD_SUFFIX = "#rebuild";

interface Row {
  consumer: string;
  status: "running" | "failed" | "stopped" | null;
  processed_count: string | null;
  last_error: string | null;
  transaction_id: string | null;
  global_sequence: string | null;
  lag_p50_ms: number | null;
  lag_p99_ms: number | null;
  last_processed_at: Date | null;
  failed_sequence: string | null;
  events_behind: string;
  ms_behind: string | null;
}

export async function readProjectionStatus(db: Queryable, names: readonly string[]): Promise<ProjectionStatus[]> {
  const consumers = names.flatMap((name) => [name, name + REBUILD_SUFFIX]);
  // Consumers that never ran yet have no row: treat them as standing at the start.
  // Events behind = events in the log - events the consumer moved past, where the
  // log's count is the stats consumer's (plus the few it has not counted yet),
  // so this reads a few rows however long the log is.
  const { rows } = await db.query<Row>(
    `WITH log AS (
       SELECT coalesce(s.processed_count, 0) + (
         SELECT count(*) FROM event_store.events e
         WHERE (e.transaction_id, e.global_sequence) > (coalesce(s.transaction_id, '0'::xid8), coalesce(s.global_sequence, 0))
           AND e.transaction_id < pg_snapshot_xmin(pg_current_snapshot())) AS events
       FROM (SELECT 1) AS one LEFT JOIN query.checkpoints s ON s.consumer = $2
     )
     SELECT n.consumer, c.status, c.processed_count::text AS processed_count, c.last_error,
            c.transaction_id::text AS transaction_id, c.global_sequence::text AS global_sequence,
            c.lag_p50_ms, c.lag_p99_ms, c.last_processed_at, c.failed_sequence::text AS failed_sequence,
            greatest(0, log.events - coalesce(c.processed_count, 0))::text AS events_behind,
            (extract(epoch FROM now() - oldest.occurred_at) * 1000)::bigint::text AS ms_behind
     FROM unnest($1::text[]) AS n(consumer)
     LEFT JOIN query.checkpoints c ON c.consumer = n.consumer
     CROSS JOIN log
     LEFT JOIN LATERAL (
       SELECT e.occurred_at FROM event_store.events e
       WHERE (e.transaction_id, e.global_sequence) > (coalesce(c.transaction_id, '0'::xid8), coalesce(c.global_sequence, 0))
         AND e.transaction_id < pg_snapshot_xmin(pg_current_snapshot())
       ORDER BY e.transaction_id, e.global_sequence LIMIT 1
     ) AS oldest ON true
     WHERE c.consumer IS NOT NULL OR n.consumer NOT LIKE '%${REBUILD_SUFFIX}'`,
    [consumers, STATS_CONSUMER],
  );
  const byConsumer = new Map(rows.map((row) => [row.consumer, row]));
  return names.map((name) => toStatus(name, byConsumer.get(name), byConsumer.get(name + REBUILD_SUFFIX)));
}

function toStatus(name: string, row: Row | undefined, rebuild: Row | undefined): ProjectionStatus {
  const eventsBehind = Number(row?.events_behind ?? 0);
  const msBehind = Math.max(0, Number(row?.ms_behind ?? 0));
  let status: ProjectionState = row?.status ?? "running";
  if (status === "running" && rebuild) status = "rebuilding";
  else if (status === "running" && eventsBehind > 0 && msBehind > CATCHING_UP_AFTER_MS) status = "catching_up";
  return {
    name,
    status,
    processedCount: Number(row?.processed_count ?? 0),
    lastError: row?.last_error ?? null,
    position: position(row),
    eventsBehind,
    msBehind,
    lastProcessedAt: row?.last_processed_at?.toISOString() ?? null,
    lagP50Ms: row?.lag_p50_ms ?? null,
    lagP99Ms: row?.lag_p99_ms ?? null,
    failedSequence: row?.failed_sequence ?? null,
    rebuild: rebuild ? { position: position(rebuild), processedCount: Number(rebuild.processed_count ?? 0), eventsBehind: Number(rebuild.events_behind) } : null,
  };
}

function position(row: Row | undefined): string | null {
  if (!row?.transaction_id || row.global_sequence === null || Number(row.global_sequence) === 0) return null;
  return encodePosition({ transactionId: row.transaction_id, globalSequence: Number(row.global_sequence) });
}
