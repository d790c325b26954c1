// One warm Postgres connection for a Durable Object: opened on first use,
// closed after a short idle time, dropped (and reopened lazily) after an error.
// "Idle" means no query in flight: a long batch or a lock wait is never cut
// off. One timer checks the last use when it fires (and sets itself for the
// rest), instead of a clear and a new timer around every query: workerd's
// timers cost about 5% of a write's CPU that way (docs/BENCHMARKS.md,
// "Writes: where a write's CPU goes").
import type { Client } from "@neondatabase/serverless";
import { connectClient, type DatabaseSettings } from "./connection.ts";

export class IdleConnection {
  #client: Promise<Client> | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #inFlight = 0;
  #lastUsed = 0;

  constructor(
    private readonly settings: () => DatabaseSettings,
    private readonly idleMs = 10_000,
  ) {}

  get(): Promise<Client> {
    if (!this.#client) {
      // Connecting counts as in flight: a slow connect is not idleness either.
      this.#inFlight++;
      const connecting = connectClient(this.settings())
        .then((client) => {
          client.on("error", () => this.#forget(connecting));
          return this.#tracked(client);
        })
        .finally(() => {
          this.#inFlight--;
          this.#used();
        });
      connecting.catch(() => this.#forget(connecting));
      this.#client = connecting;
    } else {
      this.#used();
    }
    return this.#client;
  }

  /** Closes the connection now (e.g. after an error that may have broken it), in flight or not. */
  async close(): Promise<void> {
    const client = this.#client;
    this.#client = undefined;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await (await client?.catch(() => undefined))?.end().catch(() => undefined);
  }

  /** The client, with its queries counted so the idle check waits for them. */
  #tracked(client: Client): Client {
    const query = client.query.bind(client) as (...args: unknown[]) => Promise<unknown>;
    // Every caller goes through query(), whatever overload it uses (drizzle passes a config object).
    const tracked = async (...args: unknown[]) => {
      this.#inFlight++;
      try {
        return await query(...args);
      } finally {
        this.#inFlight--;
        this.#used();
      }
    };
    return Object.assign(client, { query: tracked as Client["query"] });
  }

  #used(): void {
    this.#lastUsed = Date.now();
    this.#timer ??= setTimeout(() => this.#closeIfIdle(), this.idleMs);
  }

  #closeIfIdle(): void {
    this.#timer = undefined;
    if (!this.#client) return;
    const idleFor = Date.now() - this.#lastUsed;
    if (this.#inFlight === 0 && idleFor >= this.idleMs) {
      void this.close();
      return;
    }
    // In use since: look again when the idle time after the last use is up (or, while a query runs, a full period on).
    this.#timer = setTimeout(() => this.#closeIfIdle(), this.#inFlight > 0 ? this.idleMs : this.idleMs - idleFor);
  }

  #forget(client: Promise<Client>): void {
    if (this.#client === client) this.#client = undefined;
  }
}
