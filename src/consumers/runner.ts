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
}

export type RunResult =
  | { status: "caught_up"; processed: number }
  | { status: "failed"; processed: number; error: string; failedSequence: number | null };

export async function runUntilCaughtUp(connect: () => Promise<Queryable>, consumer: Consumer, options: RunOptions = {}): Promise<RunResult> {
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const attempt = (size: number) => withRetries(async () => runConsumerBatch(await connect(), consumer, { ...options, batchSize: size }), options);
  let processed = 0;
  for (;;) {
    let batch: ConsumerBatch;
    try {
      batch = await attempt(batchSize);
    } catch {
      // Something in the next batch fails: go one event at a time through it.
      for (let i = 0; i < batchSize; i++) {
        let single: ConsumerBatch;
        try {
          single = await attempt(1);
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          const suspect = await nextEvent(await connect(), consumer.name).catch(() => undefined);
          await markFailed(await connect(), consumer.name, suspect?.globalSequence ?? null, message);
          return { status: "failed", processed, error: message, failedSequence: suspect?.globalSequence ?? null };
        }
        processed += single.read;
        if (single.caughtUp) return { status: "caught_up", processed };
      }
      continue;
    }
    processed += batch.read;
    if (batch.caughtUp) return { status: "caught_up", processed };
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
      await new Promise((resolve) => setTimeout(resolve, backoffMs * 4 ** (i - 1)));
    }
  }
}
