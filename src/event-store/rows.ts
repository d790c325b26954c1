import type { EventMetadata, StoredEvent } from "./types.ts";
import { encodePosition } from "./position.ts";

/**
 * The columns every event read selects, in the shape `toStoredEvent` expects.
 * The text aliases shadow the real columns in ORDER BY: a bare
 * `ORDER BY global_sequence` then sorts "10" before "9". Order by the
 * qualified column (`events.global_sequence`) instead.
 */
export const EVENT_COLUMNS = `global_sequence::text AS global_sequence, transaction_id::text AS transaction_id,
  aggregate_id::text AS aggregate_id, aggregate_type, event_type, event_data, metadata,
  event_version, schema_version, occurred_at`;

export interface EventRow {
  global_sequence: string;
  transaction_id: string;
  aggregate_id: string;
  aggregate_type: string;
  event_type: string;
  event_data: unknown;
  metadata: EventMetadata;
  event_version: number;
  schema_version: number;
  occurred_at: Date | string;
}

export function toStoredEvent(row: EventRow): StoredEvent {
  const globalSequence = Number(row.global_sequence);
  return {
    globalSequence,
    transactionId: row.transaction_id,
    position: encodePosition({ transactionId: row.transaction_id, globalSequence }),
    streamId: row.aggregate_id,
    streamType: row.aggregate_type,
    type: row.event_type,
    data: row.event_data,
    metadata: row.metadata,
    version: row.event_version,
    schemaVersion: row.schema_version,
    occurredAt: row.occurred_at instanceof Date ? row.occurred_at : new Date(row.occurred_at),
  };
}
