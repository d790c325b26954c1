import { drizzle } from "drizzle-orm/neon-serverless";
import type { Client } from "@neondatabase/serverless";
import * as queryDb from "../../schema/query-db.ts";

/** Drizzle over one connection, for the read side. */
export function readDb(client: Client) {
  return drizzle({ client, schema: queryDb });
}

export type ReadDb = ReturnType<typeof readDb>;
