import { encodePosition } from "./position.ts";
import type { Queryable } from "./types.ts";

export interface StoredIdempotencyRecord {
  streamId: string;
  result: unknown;
  /** Position of the batch that stored the key, for read-your-writes. */
  position: string | null;
}

/** What an earlier command with this key returned, or null if the key is new. */
export async function findIdempotencyRecord(db: Queryable, key: string): Promise<StoredIdempotencyRecord | null> {
  const { rows } = await db.query<{ aggregate_id: string; result: unknown; last_sequence: string | null; transaction_id: string }>(
    `SELECT aggregate_id::text AS aggregate_id, result, last_sequence::text AS last_sequence, transaction_id::text AS transaction_id
     FROM event_store.idempotency_keys WHERE key = $1`,
    [key],
  );
  const row = rows[0];
  if (!row) return null;
  return {
    streamId: row.aggregate_id,
    result: row.result,
    position: row.last_sequence === null ? null : encodePosition({ transactionId: row.transaction_id, globalSequence: Number(row.last_sequence) }),
  };
}
