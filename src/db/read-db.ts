import { drizzle } from "drizzle-orm/neon-serverless";
import type { Client } from "@neondatabase/serverless";
import * as queryDb from "../../schema/query-db.ts";

// Building a drizzle instance walks the whole schema (its relational config):
// measured at about 2 ms of a ReaderDO's CPU per nested read, when every
// resolver built its own. One per connection, kept as long as the connection.
const instances = new WeakMap<Client, ReturnType<typeof build>>();

function build(client: Client) {
  return drizzle({ client, schema: queryDb });
}

/** Drizzle over one connection, for the read side. */
export function readDb(client: Client): ReadDb {
  let db = instances.get(client);
  if (!db) {
    db = build(client);
    instances.set(client, db);
  }
  return db;
}

export type ReadDb = ReturnType<typeof build>;
