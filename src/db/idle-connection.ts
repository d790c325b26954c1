// One warm Postgres connection for a Durable Object: opened on first use,
// closed after a short idle time, dropped (and reopened lazily) after an error.
// "Idle" means no query in flight for the whole idle time, so a long batch or
// a lock wait is never cut off.
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

  /** The client, with its queries counted so the idle timer waits for them. */
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

  // A busy connection is used many times a second: moving a deadline costs
  // nothing, while a timer cleared and set again on every query was a
  // measurable share of a read's CPU (docs/BENCHMARKS.md, "The nested read").
  // So one timer runs per idle period and, when it fires early, waits out the rest.
  #used(): void {
    this.#lastUsed = Date.now();
    this.#timer ??= setTimeout(() => this.#checkIdle(), this.idleMs);
  }

  #checkIdle(): void {
    this.#timer = undefined;
    if (!this.#client) return;
    const idleFor = Date.now() - this.#lastUsed;
    if (this.#inFlight === 0 && idleFor >= this.idleMs) void this.close();
    else this.#timer = setTimeout(() => this.#checkIdle(), this.#inFlight > 0 ? this.idleMs : this.idleMs - idleFor);
  }

  #forget(client: Promise<Client>): void {
    if (this.#client === client) this.#client = undefined;
  }
}
