// The one consumer runner of the global log: read past the checkpoint (gap-safe),
// apply, and move the checkpoint in the same transaction, so a crash at any
// point neither skips nor double-applies an event. Projections, the saga
// manager and the broadcaster's publisher all run through it.
import { upcastDomainEvent } from "../domain/upcasters.ts";
import { readGlobalLog, type LogPosition, type Queryable, type StoredEvent } from "../event-store/index.ts";
import { lockCheckpoint, saveCheckpoint } from "./checkpoints.ts";
import type { LagWindow } from "./lag.ts";

export interface Consumer {
  name: string;
  eventTypes: readonly string[];
  apply(db: Queryable, events: readonly StoredEvent[]): Promise<void>;
}

export interface BatchOptions {
  batchSize?: number;
  /** Records commit-to-apply delays and stores p50/p99 with the checkpoint. */
  lag?: LagWindow;
}

export interface ConsumerBatch {
  /** Events the checkpoint moved past. */
  read: number;
  /** Of those, events the consumer handled. */
  applied: number;
  position: LogPosition;
  /** Every committed event has been read. */
  caughtUp: boolean;
  /**
   * The page stopped short because an older open transaction holds the log
   * back while committed events wait past it: not caught up, read again soon.
   */
  heldBack: boolean;
}

export const DEFAULT_BATCH_SIZE = 500;

/** Runs one batch in one transaction; `db` must be a single connection, not a pool. */
export async function runConsumerBatch(db: Queryable, consumer: Consumer, options: BatchOptions = {}): Promise<ConsumerBatch> {
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const wanted = new Set(consumer.eventTypes);
  await db.query("BEGIN");
  try {
    const checkpoint = await lockCheckpoint(db, consumer.name);
    if (checkpoint.status === "stopped") {
      await db.query("COMMIT");
      return { read: 0, applied: 0, position: checkpoint, caughtUp: true, heldBack: false };
    }
    const page = await readGlobalLog(db, { after: checkpoint, limit: batchSize, upcast: upcastDomainEvent });
    const relevant = page.events.filter((event) => wanted.has(event.type));
    if (relevant.length > 0) await consumer.apply(db, relevant);
    if (page.events.length > 0) {
      const now = Date.now();
      for (const event of relevant) options.lag?.add(now - event.occurredAt.getTime());
      const lag = options.lag ? { p50: options.lag.percentile(50), p99: options.lag.percentile(99) } : undefined;
      await saveCheckpoint(db, consumer.name, { position: page.position, processed: page.events.length, lag });
    }
    await db.query("COMMIT");
    const short = page.events.length < batchSize;
    return { read: page.events.length, applied: relevant.length, position: page.position, caughtUp: short && !page.heldBack, heldBack: short && page.heldBack };
  } catch (error) {
    await db.query("ROLLBACK").catch(() => undefined);
    throw error;
  }
}
