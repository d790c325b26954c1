import { START, type LogPosition, type Queryable } from "../event-store/index.ts";

export type ConsumerStatus = "running" | "failed" | "stopped";

export interface Checkpoint extends LogPosition {
  processedCount: number;
  status: ConsumerStatus;
  failedAt: Date | null;
  /** The event a failed consumer stopped at. */
  failedSequence: number | null;
}

interface CheckpointRow {
  transaction_id: string;
  global_sequence: string;
  processed_count: string;
  status: ConsumerStatus;
  failed_at: Date | null;
  failed_sequence: string | null;
}

const COLUMNS = `transaction_id::text AS transaction_id, global_sequence::text AS global_sequence,
  processed_count::text AS processed_count, status, failed_at, failed_sequence::text AS failed_sequence`;

/** Reads the consumer's checkpoint and locks it until the transaction ends. */
export async function lockCheckpoint(db: Queryable, consumer: string): Promise<Checkpoint> {
  await db.query("INSERT INTO query.checkpoints (consumer) VALUES ($1) ON CONFLICT (consumer) DO NOTHING", [consumer]);
  const { rows } = await db.query<CheckpointRow>(`SELECT ${COLUMNS} FROM query.checkpoints WHERE consumer = $1 FOR UPDATE`, [consumer]);
  return toCheckpoint(rows[0]);
}

export interface CheckpointUpdate {
  position: LogPosition;
  processed: number;
  lag?: { p50: number | null; p99: number | null };
}

/** Moves the checkpoint; a failed consumer that moves is running again (a stopped one stays stopped). */
export async function saveCheckpoint(db: Queryable, consumer: string, update: CheckpointUpdate): Promise<void> {
  await db.query(
    `UPDATE query.checkpoints SET transaction_id = $2::xid8, global_sequence = $3, processed_count = processed_count + $4,
       status = CASE WHEN status = 'stopped' THEN status ELSE 'running' END,
       last_error = NULL, failed_sequence = NULL, failed_at = NULL,
       lag_p50_ms = coalesce($5, lag_p50_ms), lag_p99_ms = coalesce($6, lag_p99_ms),
       last_processed_at = now(), updated_at = now()
     WHERE consumer = $1`,
    [consumer, update.position.transactionId, update.position.globalSequence, update.processed, update.lag?.p50 ?? null, update.lag?.p99 ?? null],
  );
}

/** Puts the consumer at a position with a given count (after a rebuild); an operator's stop stands. */
export async function resetCheckpoint(db: Queryable, consumer: string, position: LogPosition, processedCount: number): Promise<void> {
  await db.query(
    `UPDATE query.checkpoints SET transaction_id = $2::xid8, global_sequence = $3, processed_count = $4,
       status = CASE WHEN status = 'stopped' THEN status ELSE 'running' END, last_error = NULL, failed_sequence = NULL, failed_at = NULL, last_processed_at = now(), updated_at = now()
     WHERE consumer = $1`,
    [consumer, position.transactionId, position.globalSequence, processedCount],
  );
}

/** An admin's pause (stopped) or go (running, which also clears a failure). */
export async function setConsumerStatus(db: Queryable, consumer: string, status: "running" | "stopped"): Promise<void> {
  await db.query(
    `INSERT INTO query.checkpoints (consumer, status) VALUES ($1, $2)
     ON CONFLICT (consumer) DO UPDATE SET status = excluded.status, updated_at = now(),
       last_error = CASE WHEN excluded.status = 'running' THEN NULL ELSE checkpoints.last_error END,
       failed_sequence = CASE WHEN excluded.status = 'running' THEN NULL ELSE checkpoints.failed_sequence END,
       failed_at = CASE WHEN excluded.status = 'running' THEN NULL ELSE checkpoints.failed_at END`,
    [consumer, status],
  );
}

/** Stops the consumer at the event it cannot apply (even one that never committed a checkpoint). Only for an event's own fault. */
export async function markFailed(db: Queryable, consumer: string, failedSequence: number, error: string): Promise<void> {
  await db.query(
    `INSERT INTO query.checkpoints (consumer, status, last_error, failed_sequence, failed_at) VALUES ($1, 'failed', $2, $3, now())
     ON CONFLICT (consumer) DO UPDATE SET status = 'failed', last_error = excluded.last_error,
       failed_sequence = excluded.failed_sequence, failed_at = now(), updated_at = now()`,
    [consumer, error.slice(0, 2000), failedSequence],
  );
}

export async function readCheckpoints(db: Queryable, consumers: readonly string[]): Promise<Map<string, Checkpoint>> {
  const { rows } = await db.query<CheckpointRow & { consumer: string }>(
    `SELECT consumer, ${COLUMNS} FROM query.checkpoints WHERE consumer = ANY($1::text[])`,
    [consumers],
  );
  return new Map(rows.map((row) => [row.consumer, toCheckpoint(row)]));
}

function toCheckpoint(row: CheckpointRow | undefined): Checkpoint {
  if (!row) return { ...START, processedCount: 0, status: "running", failedAt: null, failedSequence: null };
  return {
    transactionId: row.transaction_id,
    globalSequence: Number(row.global_sequence),
    processedCount: Number(row.processed_count),
    status: row.status,
    failedAt: row.failed_at,
    failedSequence: row.failed_sequence === null ? null : Number(row.failed_sequence),
  };
}
