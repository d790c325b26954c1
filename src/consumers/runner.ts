// Drives a consumer until it has caught up, retrying a failing batch a few
// times, then narrowing it down to the one event that fails: the consumer stops
// there (status failed) instead of skipping it silently.
import { readGlobalLog, type Queryable, type StoredEvent } from "../event-store/index.ts";
import { markFailed, readCheckpoints } from "./checkpoints.ts";
import { DEFAULT_BATCH_SIZE, runConsumerBatch, type BatchOptions, type Consumer, type ConsumerBatch } from "./consumer.ts";

export interface RunOptions extends BatchOptions {
  /** Tries per batch before narrowing down / giving up. */
  attempts?: number;
  backoffMs?: number;
  /** How long to keep polling while an open transaction holds the log back; then the caller's alarm takes over. */
  heldBackForMs?: number;
}

export type RunResult =
  | { status: "caught_up"; processed: number }
  | { status: "held_back"; processed: number }
  | { status: "failed"; processed: number; error: string; failedSequence: number | null };

// While held back, nothing announces the moment the blocker ends (it may be
// another consumer's batch, a migration, an idle session), so poll: quickly at
// first, since most blockers are short batches, then at most twice a second.
const HELD_BACK_FIRST_PAUSE_MS = 10;
const HELD_BACK_MAX_PAUSE_MS = 500;
const HELD_BACK_FOR_MS = 60_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type Step = ConsumerBatch | Extract<RunResult, { status: "failed" }>;

export async function runUntilCaughtUp(connect: () => Promise<Queryable>, consumer: Consumer, options: RunOptions = {}): Promise<RunResult> {
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const heldBackForMs = options.heldBackForMs ?? HELD_BACK_FOR_MS;
  const attempt = (size: number) => withRetries(async () => runConsumerBatch(await connect(), consumer, { ...options, batchSize: size }), options);

  /** Something in the next batch fails: go one event at a time through it, and stop at the event that fails. */
  const narrowDown = async (processedBefore: number): Promise<Step> => {
    let read = 0;
    let single: ConsumerBatch | undefined;
    for (let i = 0; i < batchSize && !(single?.caughtUp || single?.heldBack); i++) {
      try {
        single = await attempt(1);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        const suspect = await nextEvent(await connect(), consumer.name).catch(() => undefined);
        await markFailed(await connect(), consumer.name, suspect?.globalSequence ?? null, message);
        return { status: "failed", processed: processedBefore + read, error: message, failedSequence: suspect?.globalSequence ?? null };
      }
      read += single.read;
    }
    return { ...single!, read };
  };

  let processed = 0;
  let heldBackSince: number | undefined;
  let pause = HELD_BACK_FIRST_PAUSE_MS;
  for (;;) {
    const step: Step = await attempt(batchSize).catch(() => narrowDown(processed));
    if ("status" in step) return step;
    processed += step.read;
    if (step.caughtUp) return { status: "caught_up", processed };
    if (!step.heldBack) continue; // a full page: read on
    if (step.read > 0) {
      heldBackSince = undefined;
      pause = HELD_BACK_FIRST_PAUSE_MS;
    }
    heldBackSince ??= Date.now();
    if (Date.now() - heldBackSince >= heldBackForMs) return { status: "held_back", processed };
    await sleep(pause);
    pause = Math.min(pause * 2, HELD_BACK_MAX_PAUSE_MS);
  }
}

/** The next event the consumer would read. */
export async function nextEvent(db: Queryable, consumer: string): Promise<StoredEvent | undefined> {
  const checkpoint = (await readCheckpoints(db, [consumer])).get(consumer);
  const page = await readGlobalLog(db, { after: checkpoint, limit: 1 });
  return page.events[0];
}

async function withRetries<T>(work: () => Promise<T>, options: RunOptions): Promise<T> {
  const attempts = options.attempts ?? 3;
  const backoffMs = options.backoffMs ?? 50;
  for (let i = 1; ; i++) {
    try {
      return await work();
    } catch (error) {
      if (i >= attempts) throw error;
      await sleep(backoffMs * 4 ** (i - 1));
    }
  }
}
