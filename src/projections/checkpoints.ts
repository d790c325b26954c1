import { START, type LogPosition, type Queryable } from "../event-store/index.ts";

export interface Checkpoint extends LogPosition {
  processedCount: number;
}

interface CheckpointRow {
  transaction_id: string;
  global_sequence: string;
  processed_count: string;
}

/** Reads the consumer's checkpoint and locks it until the transaction ends. */
export async function lockCheckpoint(db: Queryable, consumer: string): Promise<Checkpoint> {
  await db.query("INSERT INTO query.checkpoints (consumer) VALUES ($1) ON CONFLICT (consumer) DO NOTHING", [consumer]);
  const { rows } = await db.query<CheckpointRow>(
    `SELECT transaction_id::text AS transaction_id, global_sequence::text AS global_sequence, processed_count::text AS processed_count
     FROM query.checkpoints WHERE consumer = $1 FOR UPDATE`,
    [consumer],
  );
  const row = rows[0];
  return row ? toCheckpoint(row) : { ...START, processedCount: 0 };
}

export async function saveCheckpoint(db: Queryable, consumer: string, position: LogPosition, processed: number): Promise<void> {
  await db.query(
    `UPDATE query.checkpoints SET transaction_id = $2::xid8, global_sequence = $3, processed_count = processed_count + $4, updated_at = now()
     WHERE consumer = $1`,
    [consumer, position.transactionId, position.globalSequence, processed],
  );
}

export async function readCheckpoints(db: Queryable, consumers: readonly string[]): Promise<Map<string, Checkpoint>> {
  const { rows } = await db.query<CheckpointRow & { consumer: string }>(
    `SELECT consumer, transaction_id::text AS transaction_id, global_sequence::text AS global_sequence, processed_count::text AS processed_count
     FROM query.checkpoints WHERE consumer = ANY($1::text[])`,
    [consumers],
  );
  return new Map(rows.map((row) => [row.consumer, toCheckpoint(row)]));
}

function toCheckpoint(row: CheckpointRow): Checkpoint {
  return { transactionId: row.transaction_id, globalSequence: Number(row.global_sequence), processedCount: Number(row.processed_count) };
}
