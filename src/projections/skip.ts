// An admin's way past an event a projection cannot apply: the event goes to the
// dead-letter table (with the error it caused) and the checkpoint moves past it.
// Only ever the event the projection failed at: a skip is permanent (rebuilds
// pass over dead letters too), so it must not land on whatever happens to be next.
import { IllegalStateError, NotFoundError } from "../domain/shared/errors.ts";
import { readGlobalLog, type Queryable, type StoredEvent } from "../event-store/index.ts";
import { lockCheckpoint, saveCheckpoint } from "../consumers/checkpoints.ts";

/** Skips the event `consumer` failed at, which must be `failedSequence`; `db` must be a single connection. */
export async function skipFailedEvent(db: Queryable, consumer: string, failedSequence: number): Promise<StoredEvent> {
  await db.query("BEGIN");
  try {
    const checkpoint = await lockCheckpoint(db, consumer);
    const details = { projection: consumer, requested: String(failedSequence), failedSequence: checkpoint.failedSequence === null ? null : String(checkpoint.failedSequence) };
    if (checkpoint.status !== "failed") {
      throw new IllegalStateError(`${consumer} is ${checkpoint.status}, not failed: there is no event to skip`, details, "PROJECTION_NOT_FAILED");
    }
    if (checkpoint.failedSequence !== failedSequence) {
      throw new IllegalStateError(`${consumer} failed at event ${checkpoint.failedSequence ?? "(unknown)"}, not ${failedSequence}`, details, "NOT_FAILED_EVENT");
    }
    const [event] = (await readGlobalLog(db, { after: checkpoint, limit: 1 })).events;
    if (!event) throw new NotFoundError(`${consumer} has no event left to skip`, details, "NOTHING_TO_SKIP");
    if (event.globalSequence !== failedSequence) {
      // The failure was recorded against another event than the one next in line: refuse rather than guess.
      throw new IllegalStateError(`the next event of ${consumer} is ${event.globalSequence}, not the failed ${failedSequence}`, details, "NOT_FAILED_EVENT");
    }
    await db.query(
      `INSERT INTO query.dead_letters (consumer, global_sequence, transaction_id, aggregate_id, event_type, event_data, error)
       SELECT $1, $2, $3::xid8, $4, $5, $6::jsonb, last_error FROM query.checkpoints WHERE consumer = $1`,
      [consumer, event.globalSequence, event.transactionId, event.streamId, event.type, JSON.stringify(event.data)],
    );
    await saveCheckpoint(db, consumer, { position: event, processed: 1 });
    await db.query("COMMIT");
    return event;
  } catch (error) {
    await db.query("ROLLBACK").catch(() => undefined);
    throw error;
  }
}

export interface DeadLetterRow {
  id: string;
  consumer: string;
  global_sequence: string;
  aggregate_id: string;
  event_type: string;
  event_data: unknown;
  error: string | null;
  skipped_at: Date;
}

/** Skipped events, newest first; only `consumer`'s when given. */
export async function listDeadLetters(db: Queryable, filter: { consumer?: string; limit: number; offset: number }): Promise<DeadLetterRow[]> {
  const { rows } = await db.query<DeadLetterRow>(
    `SELECT id::text AS id, consumer, global_sequence::text AS global_sequence, aggregate_id::text AS aggregate_id,
            event_type, event_data, error, skipped_at
     FROM query.dead_letters WHERE $1::text IS NULL OR consumer = $1 ORDER BY dead_letters.id DESC LIMIT $2 OFFSET $3`,
    [filter.consumer ?? null, filter.limit, filter.offset],
  );
  return rows;
}
