import type { Consumer } from "./consumer.ts";
import { CONSUMER_WAKE_TYPES } from "./registry.ts";

/** The ProjectorDO namespace, as far as waking goes. */
export interface ConsumerDirectory {
  getByName(name: string): { wake(name: string, relay?: readonly string[]): Promise<unknown> };
}

export interface WakerOptions {
  /** How long a consumer that none of a commit's events concern may wait for its wake-up. */
  laterMs: number;
  /** For each consumer, the event types whose commits wake it at once. */
  consumers: ReadonlyMap<string, Consumer["eventTypes"]>;
}

export const DEFAULT_WAKER_OPTIONS: WakerOptions = { laterMs: 1_000, consumers: CONSUMER_WAKE_TYPES };

/**
 * Nudges the consumers after a commit; the alarm catches anything lost here.
 * A consumer of one of the commit's event types is woken at once: a client
 * may be waiting on it (read-your-writes, subscriptions); the stats read
 * model, which no client waits on, never is (CONSUMER_WAKE_TYPES). The others only
 * have to move their checkpoint past the commit, which can wait: woken at
 * most once per `laterMs`, for all the commits in between, instead of a pass
 * each. That limit is kept by one place per kind of commit, not per
 * aggregate: the first wake-up sent at once carries the names of the
 * consumers that can wait, and that consumer's ProjectorDO relays them
 * (`relay`). Kept per AggregateDO, 8 categories written at once cost each
 * unconcerned consumer 8 wake-up RPCs and 8 passes a second, a third of
 * the RPCs and passes a write set off (docs/BENCHMARKS.md, "Writes: wake-ups
 * that can wait, relayed"). A wake-up held back lives in a timer, so it is
 * lost if its object goes away first; the consumer's alarm, or the next
 * commit, then moves it on.
 * One per Durable Object: while a wake-up of a consumer is in flight (it
 * resolves once the consumer has caught up), further commits only ask for
 * one more, sent when it returns, so a hot aggregate costs one wake-up per
 * consumer pass instead of one per commit.
 */
export class ConsumerWaker {
  #inFlight = new Map<string, Promise<void>>();
  #again = new Set<string>();
  /** Per consumer to be woken, the names its next wake-up carries for its ProjectorDO to relay. */
  #toRelay = new Map<string, Set<string>>();
  #later = new Map<string, ReturnType<typeof setTimeout>>();
  #wokenAt = new Map<string, number>();

  constructor(
    private readonly projectors: ConsumerDirectory,
    private readonly options: WakerOptions = DEFAULT_WAKER_OPTIONS,
  ) {}

  /**
   * After a commit of events of these types; resolves once the wake-ups sent
   * now have returned. One held back is a timer, not work to wait for.
   */
  wake(eventTypes: readonly string[]): Promise<void> {
    const atOnce: string[] = [];
    const canWait: string[] = [];
    for (const [name, handles] of this.options.consumers) {
      if (handles === "all" || eventTypes.some((type) => handles.includes(type))) atOnce.push(name);
      else canWait.push(name);
    }
    const carrier = this.options.laterMs > 0 ? atOnce[0] : undefined;
    if (carrier === undefined) {
      const now = atOnce.map((name) => this.#wakeNow(name));
      this.relay(canWait, now);
      return Promise.all(now).then(() => undefined);
    }
    return Promise.all(atOnce.map((name) => this.#wakeNow(name, name === carrier ? canWait : []))).then(() => undefined);
  }

  /**
   * Wakes these consumers, each at most once per `laterMs` (a ProjectorDO
   * relaying what a commit's wake-up carried). Wake-ups sent at once join `now`.
   */
  relay(names: readonly string[], now: Promise<void>[] = []): void {
    for (const name of names) {
      const wait = (this.#wokenAt.get(name) ?? -Infinity) + this.options.laterMs - Date.now();
      if (wait <= 0) {
        now.push(this.#wakeNow(name));
      } else if (!this.#later.has(name)) {
        const timer = setTimeout(() => {
          this.#later.delete(name);
          void this.#wakeNow(name);
        }, wait);
        this.#later.set(name, timer);
      }
    }
  }

  #wakeNow(name: string, relay: readonly string[] = []): Promise<void> {
    this.#wokenAt.set(name, Date.now());
    if (relay.length > 0) {
      const pending = this.#toRelay.get(name) ?? new Set<string>();
      for (const other of relay) pending.add(other);
      this.#toRelay.set(name, pending);
    }
    const inFlight = this.#inFlight.get(name);
    if (inFlight) {
      this.#again.add(name);
      return inFlight;
    }
    const run = async () => {
      do {
        this.#again.delete(name);
        const carried = this.#toRelay.get(name);
        this.#toRelay.delete(name);
        const stub = this.projectors.getByName(name);
        await (carried ? stub.wake(name, [...carried]) : stub.wake(name)).catch(() => undefined);
      } while (this.#again.has(name));
    };
    const running = run().finally(() => this.#inFlight.delete(name));
    this.#inFlight.set(name, running);
    return running;
  }
}
