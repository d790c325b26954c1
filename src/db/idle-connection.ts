// One warm Postgres connection for a Durable Object: opened on first use,
// closed after a short idle time, dropped (and reopened lazily) after an error.
import type { Client } from "@neondatabase/serverless";
import { connectClient, type DatabaseSettings } from "./connection.ts";

export class IdleConnection {
  #client: Promise<Client> | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly settings: () => DatabaseSettings,
    private readonly idleMs = 10_000,
  ) {}

  async get(): Promise<Client> {
    this.#touch();
    if (!this.#client) {
      const connecting = connectClient(this.settings()).then((client) => {
        client.on("error", () => this.#forget(connecting));
        return client;
      });
      connecting.catch(() => this.#forget(connecting));
      this.#client = connecting;
    }
    return this.#client;
  }

  /** Closes the connection now (e.g. after an error that may have broken it). */
  async close(): Promise<void> {
    const client = this.#client;
    this.#client = undefined;
    clearTimeout(this.#timer);
    await (await client?.catch(() => undefined))?.end().catch(() => undefined);
  }

  #touch(): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.close(), this.idleMs);
  }

  #forget(client: Promise<Client>): void {
    if (this.#client === client) this.#client = undefined;
  }
}
