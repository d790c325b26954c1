// GraphQL reads run in ReaderDOs next to warm connections: a read does not
// open a Postgres connection of its own (DESIGN.md, "Durable Objects").
import { expect, it } from "vitest";
import { gqlData, withDb } from "../workers/support.ts";

const sessions = () =>
  withDb(async (db) => Number((await db.query("SELECT sessions FROM pg_stat_database WHERE datname = current_database()")).rows[0].sessions));

it("30 reads open far fewer than 30 Postgres connections", async () => {
  for (let i = 0; i < 20; i++) await gqlData("{ categories(limit: 1) { id } }"); // every reader has connected by now
  const before = await sessions();
  for (let i = 0; i < 30; i++) await gqlData("{ categories(limit: 1) { id } product(id: \"0190d000-0000-7000-8000-0000000000aa\") { id } }");
  // withDb's own connection counts once; a connect per request would add 30.
  expect((await sessions()) - before).toBeLessThan(10);
});
