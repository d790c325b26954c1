// The one consumer runner of the global log: read past the checkpoint (gap-safe),
// apply, and move the checkpoint in the same transaction, so a crash at any
// point neither skips nor double-applies an event. Projections, the saga
// manager and the broadcaster's publisher all run through it.
import { readGlobalLog, type LogPosition, type Queryable, type StoredEvent } from "../event-store/index.ts";
import { upcastDomainEvent } from "../domain/upcasters.ts";
import { lockCheckpoint, saveCheckpoint } from "./checkpoints.ts";

export interface Consumer {
  name: string;
  eventTypes: readonly string[];
  apply(db: Queryable, events: readonly StoredEvent[]): Promise<void>;
}

export interface ConsumerBatch {
  /** Events the checkpoint moved past. */
  read: number;
  /** Of those, events the consumer handled. */
  applied: number;
  position: LogPosition;
  /** Nothing more is visible to read right now. */
  caughtUp: boolean;
}

/** Runs one batch in one transaction; `db` must be a single connection, not a pool. */
export async function runConsumerBatch(db: Queryable, consumer: Consumer, batchSize = 500): Promise<ConsumerBatch> {
  const wanted = new Set(consumer.eventTypes);
  await db.query("BEGIN");
  try {
    const checkpoint = await lockCheckpoint(db, consumer.name);
    const page = await readGlobalLog(db, { after: checkpoint, limit: batchSize, upcast: upcastDomainEvent });
    const relevant = page.events.filter((event) => wanted.has(event.type));
    if (relevant.length > 0) await consumer.apply(db, relevant);
    if (page.events.length > 0) await saveCheckpoint(db, consumer.name, page.position, page.events.length);
    await db.query("COMMIT");
    return { read: page.events.length, applied: relevant.length, position: page.position, caughtUp: page.events.length < batchSize };
  } catch (error) {
    await db.query("ROLLBACK").catch(() => undefined);
    throw error;
  }
}

/** Runs batches until the consumer has caught up with what is visible. */
export async function catchUp(db: Queryable, consumer: Consumer, batchSize = 500): Promise<number> {
  let total = 0;
  for (;;) {
    const batch = await runConsumerBatch(db, consumer, batchSize);
    total += batch.read;
    if (batch.caughtUp) return total;
  }
}
