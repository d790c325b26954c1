// One warm Postgres connection for a Durable Object: opened on first use,
// closed after a short idle time, dropped (and reopened lazily) after an error.
// "Idle" means no query in flight: the timer only runs while nothing is
// waiting on the socket, so a long batch or a lock wait is never cut off.
import type { Client } from "@neondatabase/serverless";
import { connectClient, type DatabaseSettings } from "./connection.ts";

export class IdleConnection {
  #client: Promise<Client> | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #inFlight = 0;

  constructor(
    private readonly settings: () => DatabaseSettings,
    private readonly idleMs = 10_000,
  ) {}

  get(): Promise<Client> {
    if (!this.#client) {
      // Connecting counts as in flight: a slow connect is not idleness either.
      this.#inFlight++;
      clearTimeout(this.#timer);
      const connecting = connectClient(this.settings())
        .then((client) => {
          client.on("error", () => this.#forget(connecting));
          return this.#tracked(client);
        })
        .finally(() => {
          this.#inFlight--;
          this.#armIdleTimer();
        });
      connecting.catch(() => this.#forget(connecting));
      this.#client = connecting;
    } else {
      this.#armIdleTimer();
    }
    return this.#client;
  }

  /** Closes the connection now (e.g. after an error that may have broken it), in flight or not. */
  async close(): Promise<void> {
    const client = this.#client;
    this.#client = undefined;
    clearTimeout(this.#timer);
    await (await client?.catch(() => undefined))?.end().catch(() => undefined);
  }

  /** The client, with its queries counted so the idle timer waits for them. */
  #tracked(client: Client): Client {
    const query = client.query.bind(client) as (...args: unknown[]) => Promise<unknown>;
    // Every caller goes through query(), whatever overload it uses (drizzle passes a config object).
    const tracked = async (...args: unknown[]) => {
      this.#inFlight++;
      clearTimeout(this.#timer);
      try {
        return await query(...args);
      } finally {
        this.#inFlight--;
        this.#armIdleTimer();
      }
    };
    return Object.assign(client, { query: tracked as Client["query"] });
  }

  #armIdleTimer(): void {
    clearTimeout(this.#timer);
    if (this.#inFlight > 0) return;
    this.#timer = setTimeout(() => {
      if (this.#inFlight === 0) void this.close();
    }, this.idleMs);
  }

  #forget(client: Promise<Client>): void {
    if (this.#client === client) this.#client = undefined;
  }
}
