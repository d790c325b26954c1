// An admin's way past an event a projection cannot apply: the event goes to the
// dead-letter table (with the error it caused) and the checkpoint moves past it.
import { IllegalStateError, NotFoundError } from "../domain/shared/errors.ts";
import { readGlobalLog, type Queryable, type StoredEvent } from "../event-store/index.ts";
import { lockCheckpoint, saveCheckpoint } from "../consumers/checkpoints.ts";

/** Skips the next event of `consumer`; `db` must be a single connection. */
export async function skipNextEvent(db: Queryable, consumer: string, expectedSequence?: number): Promise<StoredEvent> {
  await db.query("BEGIN");
  try {
    const checkpoint = await lockCheckpoint(db, consumer);
    const [event] = (await readGlobalLog(db, { after: checkpoint, limit: 1 })).events;
    if (!event) throw new NotFoundError(`${consumer} has no event left to skip`, { projection: consumer }, "NOTHING_TO_SKIP");
    if (expectedSequence !== undefined && event.globalSequence !== expectedSequence) {
      throw new IllegalStateError(
        `the next event of ${consumer} is ${event.globalSequence}, not ${expectedSequence}`,
        { projection: consumer, next: String(event.globalSequence), requested: String(expectedSequence) },
        "NOT_NEXT_EVENT",
      );
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
