import { CONSUMER_NAMES } from "./registry.ts";

/**
 * Nudges every consumer after a commit; the alarm catches anything lost here.
 * One per Durable Object: while a wake-up of a consumer is in flight (it
 * resolves once the consumer has caught up), further commits only ask for one
 * more, sent when it returns, so a hot aggregate costs one wake-up per
 * consumer pass instead of one per commit.
 */
export class ConsumerWaker {
  #inFlight = new Map<string, Promise<void>>();
  #again = new Set<string>();

  constructor(private readonly projectors: Env["PROJECTOR"]) {}

  wake(): Promise<void> {
    return Promise.all(CONSUMER_NAMES.map((name) => this.#wakeOne(name))).then(() => undefined);
  }

  #wakeOne(name: string): Promise<void> {
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
