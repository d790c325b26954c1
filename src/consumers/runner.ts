// Drives a consumer until it has caught up. An error the event is to blame for
// is narrowed down to the one event that fails, and the consumer stops there
// (status failed) instead of skipping it silently. Any other error (a broken
// connection, a timeout, a deadlock) says nothing about the events: it is
// retried on a fresh connection and never stops the consumer.
import { isTransient } from "../db/transient-errors.ts";
import { encodePosition, type Queryable, type StoredEvent } from "../event-store/index.ts";
import { errorFields, logLine } from "../telemetry/log.ts";
import { markFailed } from "./checkpoints.ts";
import { DEFAULT_BATCH_SIZE, EventError, runConsumerBatch, type BatchOptions, type Consumer, type ConsumerBatch } from "./consumer.ts";

export interface RunOptions extends BatchOptions {
  /** Tries of the one event that fails before the consumer stops at it. */
  attempts?: number;
  backoffMs?: number;
  /** How long to keep polling while an open transaction holds the log back; then the caller's alarm takes over. */
  heldBackForMs?: number;
  /** How long to retry errors that are not an event's fault; then the caller's alarm takes over. */
  retryFailuresForMs?: number;
  /** Drops the connection after such an error, so the next try opens a fresh one. */
  reconnect?: () => Promise<void>;
  /** The consumer's wake-ups (commits): one ends a held-back pause at once. */
  wakeUps?: WakeUps;
}

/**
 * The commits announced to a consumer's runner. While an older open
 * transaction holds the log back, the runner polls; but the blocker is most
 * often another append, whose commit wakes the consumer. So a wake-up ends the
 * pause at once instead of at the next poll (the backoff grows to 500 ms, so
 * that poll can be long); a blocker that wakes no one (another consumer's
 * batch, an idle session) still ends with the poll.
 */
export class WakeUps {
  #since = false;
  #endPause: (() => void) | undefined;

  /** A commit happened: the log may have moved past the bound. */
  wake(): void {
    this.#since = true;
    this.#endPause?.();
  }

  /** Called before each read: only wake-ups after it may end the next pause. */
  reading(): void {
    this.#since = false;
  }

  /** Waits `ms`, or less if a wake-up comes (or came since the read). */
  pause(ms: number): Promise<void> {
    if (this.#since) return Promise.resolve();
    return new Promise((resolve) => {
      const end = () => {
        clearTimeout(timer);
        this.#endPause = undefined;
        resolve();
      };
      const timer = setTimeout(end, ms);
      this.#endPause = end;
    });
  }
}

export type RunResult =
  | { status: "caught_up"; processed: number }
  | { status: "held_back"; processed: number }
  | { status: "unavailable"; processed: number; error: string }
  | { status: "failed"; processed: number; error: string; failedSequence: number };

// While held back, nothing announces the moment the blocker ends (it may be
// another consumer's batch, a migration, an idle session), so poll: quickly at
// first, since most blockers are short batches, then at most twice a second.
const HELD_BACK_FIRST_PAUSE_MS = 10;
const HELD_BACK_MAX_PAUSE_MS = 500;
const HELD_BACK_FOR_MS = 60_000;
// A restarting database or a flaky network needs seconds, not milliseconds.
const FAILURE_FIRST_PAUSE_MS = 50;
const FAILURE_MAX_PAUSE_MS = 2_000;
const RETRY_FAILURES_FOR_MS = 60_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

type Unavailable = Extract<RunResult, { status: "unavailable" }>;
type Step = ConsumerBatch | Exclude<RunResult, { status: "caught_up" | "held_back" }>;

export async function runUntilCaughtUp(connect: () => Promise<Queryable>, consumer: Consumer, options: RunOptions = {}): Promise<RunResult> {
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const heldBackForMs = options.heldBackForMs ?? HELD_BACK_FOR_MS;
  const retryFailuresForMs = options.retryFailuresForMs ?? RETRY_FAILURES_FOR_MS;
  let processed = 0;
  const known = options.known ?? {};

  /** One batch, retried for as long as it fails for reasons that are not an event's fault. */
  const batch = async (size: number): Promise<ConsumerBatch | Unavailable> => {
    let failingSince: number | undefined;
    let pause = FAILURE_FIRST_PAUSE_MS;
    for (;;) {
      try {
        options.wakeUps?.reading();
        return await runConsumerBatch(await connect(), consumer, { ...options, known, batchSize: size });
      } catch (error) {
        if (error instanceof EventError) throw error;
        // A transient error (a dropped connection) is worth one line per outage, not one per retry.
        if (!isTransient(error) || failingSince === undefined) {
          logLine(isTransient(error) ? "warn" : "error", "consumer batch failed, not because of an event; retrying", {
            consumer: consumer.name,
            position: known.position ? encodePosition(known.position) : null,
            ...errorFields(error),
          });
        }
        await options.reconnect?.().catch(() => undefined);
        failingSince ??= Date.now();
        if (Date.now() - failingSince >= retryFailuresForMs) {
          logLine("error", "consumer paused: the database kept failing; its alarm tries again", { consumer: consumer.name, ...errorFields(error) });
          return { status: "unavailable", processed, error: messageOf(error) };
        }
        await sleep(pause);
        pause = Math.min(pause * 2, FAILURE_MAX_PAUSE_MS);
      }
    }
  };

  /** Something in the next batch fails: go one event at a time through it, and stop at the event that fails. */
  const narrowDown = async (): Promise<Step> => {
    let read = 0;
    let single: ConsumerBatch | undefined;
    for (let i = 0; i < batchSize && !(single?.caughtUp || single?.heldBack); i++) {
      for (let tries = 1; ; tries++) {
        try {
          const step = await batch(1);
          if ("status" in step) return { ...step, processed: processed + read };
          single = step;
          break;
        } catch (error) {
          if (!(error instanceof EventError)) throw error;
          const attempts = options.attempts ?? 3;
          const last = tries >= attempts;
          logLine(last ? "error" : "warn", last ? "consumer stopped at an event it cannot handle" : "consumer failed on an event; trying it again", {
            consumer: consumer.name,
            ...eventFields(error.events[0]!),
            attempt: tries,
            attempts,
            ...errorFields(error),
          });
          // An error no rule lists as transient may still pass (a statement timeout): try the event a few times.
          if (!last) {
            await sleep((options.backoffMs ?? 50) * 4 ** (tries - 1));
            continue;
          }
          const failedSequence = error.events[0]!.globalSequence;
          await markFailed(await connect(), consumer.name, failedSequence, error.message);
          return { status: "failed", processed: processed + read, error: error.message, failedSequence };
        }
      }
      read += single.read;
    }
    return { ...single!, read };
  };

  let heldBackSince: number | undefined;
  let pause = HELD_BACK_FIRST_PAUSE_MS;
  for (;;) {
    const step: Step = await batch(batchSize).catch((error: unknown) => (error instanceof EventError ? narrowDown() : Promise.reject(error)));
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
    await (options.wakeUps?.pause(pause) ?? sleep(pause));
    pause = Math.min(pause * 2, HELD_BACK_MAX_PAUSE_MS);
  }
}

/** Where in the log an error happened, and whose request wrote the event. */
function eventFields(event: StoredEvent) {
  return {
    position: event.position,
    globalSequence: event.globalSequence,
    eventType: event.type,
    aggregateId: event.streamId,
    correlationId: typeof event.metadata.correlationId === "string" ? event.metadata.correlationId : null,
  };
}
