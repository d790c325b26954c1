import { encodePosition } from "./position.ts";
import type { Queryable } from "./types.ts";

export interface StoredIdempotencyRecord {
  key: string;
  streamId: string;
  result: unknown;
  /** Position of the batch that stored the key, for read-your-writes. */
  position: string | null;
}

/** What earlier commands with these keys returned; keys not yet used are absent. */
export async function findIdempotencyRecords(db: Queryable, keys: readonly string[]): Promise<Map<string, StoredIdempotencyRecord>> {
  if (keys.length === 0) return new Map();
  const { rows } = await db.query<{ key: string; aggregate_id: string; result: unknown; last_sequence: string | null; transaction_id: string }>(
    `SELECT key, aggregate_id::text AS aggregate_id, result, last_sequence::text AS last_sequence, transaction_id::text AS transaction_id
     FROM event_store.idempotency_keys WHERE key = ANY($1::text[])`,
    [keys],
  );
  return new Map(
    rows.map((row) => [
      row.key,
      {
        key: row.key,
        streamId: row.aggregate_id,
        result: row.result,
        position:
          row.last_sequence === null ? null : encodePosition({ transactionId: row.transaction_id, globalSequence: Number(row.last_sequence) }),
      },
    ]),
  );
}

/** What an earlier command with this key returned, or null if the key is new. */
export async function findIdempotencyRecord(db: Queryable, key: string): Promise<StoredIdempotencyRecord | null> {
  return (await findIdempotencyRecords(db, [key])).get(key) ?? null;
}
