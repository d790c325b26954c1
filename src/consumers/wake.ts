import type { Consumer } from "./consumer.ts";
import { CONSUMER_WAKE_TYPES } from "./registry.ts";

/** The ProjectorDO namespace, as far as waking goes. */
export interface ConsumerDirectory {
  getByName(name: string): { wake(name: string): Promise<unknown> };
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
 * once when this object has not woken them for `laterMs`, else once when
 * that time is up, for all the commits in between, instead of a pass each
 * (a category written 20 times a second cost the orders read model and the
 * saga manager a wake-up RPC and a pass per write). A wake-up held back that
 * way lives in a timer, so it is lost if the object goes away first; the
 * consumer's alarm, or the next commit, then moves it on.
 * One per Durable Object: while a wake-up of a consumer is in flight (it
 * resolves once the consumer has caught up), further commits only ask for
 * one more, sent when it returns, so a hot aggregate costs one wake-up per
 * consumer pass instead of one per commit.
 */
export class ConsumerWaker {
  #inFlight = new Map<string, Promise<void>>();
  #again = new Set<string>();
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
    const now: Promise<void>[] = [];
    for (const [name, handles] of this.options.consumers) {
      if (handles === "all" || eventTypes.some((type) => handles.includes(type))) now.push(this.#wakeNow(name));
      else this.#wakeLater(name, now);
    }
    return Promise.all(now).then(() => undefined);
  }

  #wakeLater(name: string, now: Promise<void>[]): void {
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

  #wakeNow(name: string): Promise<void> {
    this.#wokenAt.set(name, Date.now());
    const inFlight = this.#inFlight.get(name);
    if (inFlight) {
      this.#again.add(name);
      return inFlight;
    }
    const run = async () => {
      do {
        this.#again.delete(name);
        await this.projectors
          .getByName(name)
          .wake(name)
          .catch(() => undefined);
      } while (this.#again.has(name));
    };
    const running = run().finally(() => this.#inFlight.delete(name));
    this.#inFlight.set(name, running);
    return running;
  }
}
