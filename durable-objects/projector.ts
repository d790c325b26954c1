import { DurableObject } from "cloudflare:workers";
import { DomainError, IllegalStateError, serializeError, type SerializedError } from "../src/domain/shared/errors.ts";
import { IdleConnection } from "../src/db/idle-connection.ts";
import { databaseSettings } from "../src/db/worker-connection.ts";
import { readCheckpoints } from "../src/consumers/checkpoints.ts";
import { LagWindow } from "../src/consumers/lag.ts";
import type { KnownPosition } from "../src/consumers/consumer.ts";
import type { Projection } from "../src/projections/projection.ts";
import { consumerNamed } from "../src/consumers/registry.ts";
import { finishRebuild, isRebuilding, startRebuild } from "../src/projections/rebuild.ts";
import { projectionNamed } from "../src/projections/registry.ts";
import { WakeUps, runUntilCaughtUp } from "../src/consumers/runner.ts";
import { ConsumerWaker } from "../src/consumers/wake.ts";
import { errorFields, logLine } from "../src/telemetry/log.ts";

/** Keep polling this long after the last wake-up, in case one was lost. */
const SAFETY_NET_MS = 5 * 60_000;
const ALARM_EVERY_MS = 30_000;
/** A failed projection is tried again (the fix may have been deployed) at most this often. */
const RETRY_FAILED_AFTER_MS = 30_000;

/** One per consumer of the log (a read model, or the saga manager): feeds it from past its checkpoint. */
export class ProjectorDO extends DurableObject<Env> {
  #connection = new IdleConnection(() => databaseSettings(this.env));
  // A rebuild runs its own transactions beside the live loop's: its own connection.
  #rebuildConnection = new IdleConnection(() => databaseSettings(this.env));
  #rebuilding: Promise<void> | undefined;
  #startingRebuild = false;
  #lag = new LagWindow();
  #known: KnownPosition = {};
  #wakeUps = new WakeUps();
  /** Relays the wake-ups a commit's wake-up carried for consumers that can wait (ConsumerWaker). */
  #relay = new ConsumerWaker(this.env.PROJECTOR);
  #running: Promise<void> | undefined;
  #again = false;
  /** Unknown after a start, and true after this instance stopped its consumer at an event. */
  #mayHaveFailed = true;
  /** When this instance last stored its name and wake time (every commit wakes it). */
  #safetyNetArmedAt = 0;

  /**
   * Called after each commit (not awaited by clients). Resolves once caught up.
   * `relay`: consumers the commit does not concern, to be woken at most once a second.
   */
  async wake(name: string, relay: readonly string[] = []): Promise<void> {
    if (relay.length > 0) {
      const now: Promise<void>[] = [];
      this.#relay.relay(relay, now);
      if (now.length > 0) this.ctx.waitUntil(Promise.all(now));
    }
    if (Date.now() - this.#safetyNetArmedAt > ALARM_EVERY_MS) await this.#armSafetyNet(name);
    return this.#run(name);
  }

  /** Remembers what to run and keeps the alarm set, so a lost wake-up is caught within 30 s. */
  async #armSafetyNet(name: string): Promise<void> {
    this.#safetyNetArmedAt = Date.now();
    await this.ctx.storage.put({ name, lastWake: this.#safetyNetArmedAt });
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now() + ALARM_EVERY_MS);
  }

  /**
   * Starts a rebuild into a fresh table (progress shows in projectionStatus) and
   * returns, or answers why not (REBUILD_IN_PROGRESS) as a serialized domain error.
   */
  async rebuild(name: string): Promise<SerializedError | null> {
    const projection = requireProjection(name);
    // Two starts at once would interleave their transactions on the one rebuild connection.
    if (this.#rebuilding || this.#startingRebuild) {
      return serializeError(new IllegalStateError(`a rebuild of ${name} is already under way; watch projectionStatus`, { projection: name }, "REBUILD_IN_PROGRESS"));
    }
    this.#startingRebuild = true;
    try {
      await this.ctx.storage.put("name", name);
      await startRebuild(await this.#rebuildConnection.get(), projection);
    } catch (error) {
      if (error instanceof DomainError) return serializeError(error);
      throw error;
    } finally {
      this.#startingRebuild = false;
    }
    this.#continueRebuild(projection);
    return null;
  }

  override async alarm(): Promise<void> {
    const name = await this.ctx.storage.get<string>("name");
    if (!name) return;
    const projection = projectionNamed(name);
    // A rebuild interrupted by an eviction picks up from its own checkpoint.
    if (projection && !this.#rebuilding && (await this.#rebuildInterrupted(projection))) this.#continueRebuild(projection);
    await this.#run(name, { retryFailed: true });
    const lastWake = (await this.ctx.storage.get<number>("lastWake")) ?? 0;
    if (Date.now() - lastWake < SAFETY_NET_MS) await this.ctx.storage.setAlarm(Date.now() + ALARM_EVERY_MS);
  }

  /** Failing to tell must not stop the alarm's pass: the next alarm asks again. */
  async #rebuildInterrupted(projection: Projection): Promise<boolean> {
    try {
      return await isRebuilding(await this.#connection.get(), projection);
    } catch (error) {
      logLine("error", "consumer alarm could not tell whether a rebuild was interrupted", { consumer: projection.name, ...errorFields(error) });
      return false;
    }
  }

  #run(name: string, options: { retryFailed?: boolean } = {}): Promise<void> {
    this.#again = true;
    this.#wakeUps.wake();
    this.#running ??= this.#loop(name, options.retryFailed ?? false)
      .catch((error: unknown) => {
        // The runner logs what it retries; this is a pass that gave up (its alarm or the next wake-up runs it again).
        logLine("error", "consumer pass failed", { consumer: name, alarm: options.retryFailed ?? false, ...errorFields(error) });
        throw error;
      })
      .finally(() => (this.#running = undefined));
    return this.#running;
  }

  #continueRebuild(projection: Projection): void {
    this.#rebuilding ??= finishRebuild(() => this.#rebuildConnection.get(), projection, () => this.#rebuildConnection.close())
      .then(() => undefined)
      .catch((error: unknown) => logLine("error", "rebuild failed; its alarm picks it up again", { consumer: projection.name, ...errorFields(error) }))
      .finally(() => {
        this.#rebuilding = undefined;
        void this.#rebuildConnection.close();
      });
    this.ctx.waitUntil(this.#rebuilding);
    void this.ctx.storage.setAlarm(Date.now() + ALARM_EVERY_MS);
  }

  async #loop(name: string, retryFailed: boolean): Promise<void> {
    const consumer = consumerNamed(name, this.env);
    if (!consumer) throw new Error(`unknown consumer ${name}`);
    const connect = () => this.#connection.get();
    while (this.#again) {
      this.#again = false;
      // Only this instance marks its consumer failed, so once a run went through, the next need not look.
      if (this.#mayHaveFailed) {
        const checkpoint = (await readCheckpoints(await connect(), [name])).get(name);
        if (checkpoint?.status === "stopped") return;
        if (checkpoint?.status === "failed" && !retryFailed && Date.now() - (checkpoint.failedAt?.getTime() ?? 0) < RETRY_FAILED_AFTER_MS) return;
      }
      const result = await runUntilCaughtUp(connect, consumer, {
        lag: this.#lag,
        known: this.#known,
        wakeUps: this.#wakeUps,
        reconnect: () => this.#connection.close(),
      });
      this.#mayHaveFailed = result.status === "failed";
      if (result.status === "failed") {
        await this.#connection.close();
        return;
      }
      // Still held back, or the database still unreachable, after a minute: the alarm keeps trying, however long it lasts.
      if (result.status === "held_back" || result.status === "unavailable") await this.#armSafetyNet(name);
    }
  }
}

function requireProjection(name: string): Projection {
  const projection = projectionNamed(name);
  if (!projection) throw new Error(`unknown projection ${name}`);
  return projection;
}
