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

/**
 * Where a GraphQL request gets Postgres: its own connection in the Worker, or
 * the warm one a ReaderDO shares between the requests it executes. Shared, so
 * nothing may open a transaction on it (see `withOwnConnection`).
 */
export interface DatabaseConnection {
  get(): Promise<Client>;
}

/** Runs `work` on a connection of its own (for a transaction), closed afterwards. */
export async function withOwnConnection<T>(env: DatabaseBindings, work: (client: Client) => Promise<T>): Promise<T> {
  const client = await connectClient(databaseSettings(env));
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Lazily opens one connection for the request; `close` ends it if it was opened. */
export class RequestConnection implements DatabaseConnection {
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
