// A Worker request cannot reuse a socket opened by another request, so each
// request that needs Postgres opens one and closes it after the response.
import type { Client } from "@neondatabase/serverless";
import { connectClient, type DatabaseSettings } from "./connection.ts";

export interface DatabaseBindings {
  DATABASE_URL: string;
  DB_PROXY?: string;
}

export function databaseSettings(env: DatabaseBindings): DatabaseSettings {
  if (!env.DATABASE_URL) throw new Error("DATABASE_URL is not set (wrangler secret put DATABASE_URL, or npm start locally)");
  return { url: env.DATABASE_URL, proxy: env.DB_PROXY || undefined };
}

/** Lazily opens one connection for the request; `close` ends it if it was opened. */
export class RequestConnection {
  #client: Promise<Client> | undefined;

  constructor(private readonly env: DatabaseBindings) {}

  get(): Promise<Client> {
    this.#client ??= connectClient(databaseSettings(this.env));
    return this.#client;
  }

  async close(): Promise<void> {
    const client = this.#client;
    this.#client = undefined;
    if (client) await (await client.catch(() => undefined))?.end();
  }
}
