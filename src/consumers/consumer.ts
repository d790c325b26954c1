// The one consumer runner of the global log: read past the checkpoint (gap-safe),
// apply, and move the checkpoint in the same transaction, so a crash at any
// point neither skips nor double-applies an event. Projections, the saga
// manager and the broadcaster's publisher all run through it.
import { upcastDomainEvent } from "../domain/upcasters.ts";
import { readGlobalLog, type LogPosition, type Queryable, type StoredEvent } from "../event-store/index.ts";
import { isTransient } from "../db/transient-errors.ts";
import { lockCheckpoint, saveCheckpoint } from "./checkpoints.ts";
import type { LagWindow } from "./lag.ts";

export interface Consumer {
  name: string;
  /** The event types it handles; "all" for one that takes every event (the broadcast publisher). */
  eventTypes: readonly string[] | "all";
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

/**
 * A consumer could not handle these events for a reason that will not go
 * away by itself (a transient error is never wrapped): the only kind of error
 * that may stop a consumer at an event.
 */
export class EventError extends Error {
  constructor(
    readonly events: readonly StoredEvent[],
    override readonly cause: unknown,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
    this.name = "EventError";
  }
}

function blameOn<T>(events: readonly StoredEvent[], work: () => T): T {
  const wrap = (error: unknown) => (isTransient(error) ? error : new EventError(events, error));
  try {
    const result = work();
    return (result instanceof Promise ? result.catch((error: unknown) => Promise.reject(wrap(error))) : result) as T;
  } catch (error) {
    throw wrap(error);
  }
}

/** Runs one batch in one transaction; `db` must be a single connection, not a pool. */
export async function runConsumerBatch(db: Queryable, consumer: Consumer, options: BatchOptions = {}): Promise<ConsumerBatch> {
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const wanted = consumer.eventTypes === "all" ? null : new Set(consumer.eventTypes);
  await db.query("BEGIN");
  try {
    const checkpoint = await lockCheckpoint(db, consumer.name);
    if (checkpoint.status === "stopped") {
      await db.query("COMMIT");
      return { read: 0, applied: 0, position: checkpoint, caughtUp: true, heldBack: false };
    }
    const page = await readGlobalLog(db, { after: checkpoint, limit: batchSize });
    const relevant = page.events.map((event) => blameOn([event], () => upcastDomainEvent(event))).filter((event) => wanted === null || wanted.has(event.type));
    if (relevant.length > 0) await blameOn(relevant, () => consumer.apply(db, relevant));
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
