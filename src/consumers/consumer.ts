// The one consumer runner of the global log: read past the checkpoint (gap-safe),
// apply, and move the checkpoint in the same transaction, so a crash at any
// point neither skips nor double-applies an event. Projections, the saga
// manager and the broadcaster's publisher all run through it.
import { upcastDomainEvent } from "../domain/upcasters.ts";
import { START, type LogPosition, type Queryable, type StoredEvent } from "../event-store/index.ts";
import { readCheckpoints } from "./checkpoints.ts";
import { isTransient } from "../db/transient-errors.ts";
import { advanceCheckpoint, checkpointMove, justBefore, movedPast, readConsumerPage, type Lag, type MovedPast } from "./page.ts";
import { DeferredStatements, inlined, lastAnswer } from "./batch-statements.ts";
import type { LagWindow } from "./lag.ts";

export interface Consumer {
  name: string;
  /** The event types it handles; "all" for one that takes every event (the broadcast publisher). */
  eventTypes: readonly string[] | "all";
  /**
   * Unless it applies elsewhere, its statements are kept and sent with the
   * COMMIT (they answer no rows): it writes, it does not read.
   */
  apply(db: Queryable, events: readonly StoredEvent[]): Promise<void>;
  /**
   * Everything it writes can be derived again from the log (a read model), so
   * its batches commit without waiting for the WAL flush (synchronous_commit
   * off): a crash may lose its last batches, but each with its checkpoint, so
   * it applies them again. Not for a consumer whose work leaves the database.
   */
  rederivable?: boolean;
  /**
   * Its apply writes nothing to this database and its targets take a batch
   * they have seen before as a no-op (the broadcaster shards by message id,
   * sagas by their start): it runs before the checkpoint moves, outside any
   * transaction. A transaction open while apply waits on other Durable
   * Objects would hold back every consumer of the log (the gap-safe bound is
   * cluster-wide) and cost two more round trips per batch.
   */
  appliesElsewhere?: boolean;
}

/** Where the consumer's checkpoint stands, as far as its runner knows: saves reading it before every batch. */
export interface KnownPosition {
  position?: LogPosition;
}

export interface BatchOptions {
  batchSize?: number;
  /** Kept across batches (and wake-ups) by the consumer's one runner; a wrong guess only costs a re-read. */
  known?: KnownPosition;
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

/**
 * Runs one batch: reads the page (no transaction), then applies its events and
 * moves the checkpoint in one transaction (or, for a consumer that applies
 * elsewhere, applies and then moves it). A page with nothing for this
 * consumer has moved the checkpoint in the same statement that read it. `db`
 * must be a single connection, not a pool.
 */
export async function runConsumerBatch(db: Queryable, consumer: Consumer, options: BatchOptions = {}): Promise<ConsumerBatch> {
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const known = options.known ?? {};
  known.position ??= (await readCheckpoints(db, [consumer.name])).get(consumer.name) ?? START;
  const page = await readConsumerPage(db, consumer.name, consumer.eventTypes, batchSize, known.position);
  known.position = page.checkpoint;
  if (page.status === "stopped") return { read: 0, applied: 0, position: page.checkpoint, caughtUp: true, heldBack: false };
  const short = page.events.length < batchSize;
  const done = (read: number): ConsumerBatch => {
    known.position = page.position;
    return { read, applied: page.events.length, position: page.position, caughtUp: short && !page.heldBack, heldBack: short && page.heldBack };
  };
  // Someone else moved the checkpoint since the page was read: nothing done, read again.
  const raced: ConsumerBatch = { read: 0, applied: 0, position: page.checkpoint, caughtUp: false, heldBack: false };
  // After a compare-and-set move: how far it went, or null when it found the checkpoint moved.
  const moved = (read: number | null): ConsumerBatch => {
    if (read !== null) return done(read);
    known.position = undefined;
    return raced;
  };

  if (page.events.length === 0) {
    if (page.passedOver === "raced") return raced;
    if (page.passedOver !== "no checkpoint yet") return done(page.passedOver.moved);
    return moved(await advanceCheckpoint(db, consumer.name, page.checkpoint, page.position));
  }

  try {
    const events = page.events.map((event) => blameOn([event], () => upcastDomainEvent(event)));
    const lag = recordLag(events, options);
    if (consumer.appliesElsewhere) {
      // Apply, then move (compare-and-set, autocommitted): a crash or a race in between only applies the batch again.
      await blameOn(events, () => consumer.apply(db, events));
      return moved(await advanceCheckpoint(db, consumer.name, page.checkpoint, page.position, lag));
    }
    // Three round trips in all (batch-statements.ts): the page; BEGIN with the checkpoint move;
    // the apply's statements with COMMIT. Moving the checkpoint first also locks it: a second
    // runner waits there, then finds it moved, and applies nothing.
    const begin = consumer.rederivable ? "BEGIN; SET LOCAL synchronous_commit = off" : "BEGIN";
    const move = checkpointMove(consumer.name, page.checkpoint, page.position, lag);
    const read = movedPast(lastAnswer(await db.query<MovedPast>(`${begin}; ${inlined(move)}`)));
    if (read === null) {
      await db.query("ROLLBACK");
      return moved(null);
    }
    const statements = new DeferredStatements();
    await blameOn(events, () => consumer.apply(statements, events));
    await blameOn(events, () => db.query([...statements.statements, "COMMIT"].join(";\n")));
    return done(read);
  } catch (error) {
    known.position = undefined;
    if (!consumer.appliesElsewhere) await db.query("ROLLBACK").catch(() => undefined);
    // The events of other types before the first one to blame are passed over
    // for good, so the checkpoint of a failed consumer stands right before the
    // event it failed at (an admin's skip expects that event next).
    if (error instanceof EventError) {
      await advanceCheckpoint(db, consumer.name, page.checkpoint, justBefore(page.events[0]!)).catch(() => undefined);
    }
    throw error;
  }
}

function recordLag(events: readonly StoredEvent[], options: BatchOptions): Lag | undefined {
  const now = Date.now();
  for (const event of events) options.lag?.add(now - event.occurredAt.getTime());
  return options.lag?.percentiles();
}
