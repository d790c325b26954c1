import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { connectClient } from "../../src/db/connection.ts";
import { errorCode, gql, gqlData } from "../workers/support.ts";
import { projectionStatus } from "./support.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("a projection whose connection keeps breaking", () => {
  it("retries on a fresh connection, never blames the event, and applies it once the database is reachable again", async () => {
    // Warm the projector first, so it is its batch, not its connect, that we break.
    const warm = await gqlData(`mutation { createCategory(input: { name: "Warm-up" }) { id } }`);
    await gqlData(`query($id: ID!, $p: String) { category(id: $id, minPosition: $p) { name } }`, { id: warm.createCategory.id, p: warm.position });

    // Readers may still read the table; the projector's write waits for this lock, where we can find it and kill it.
    const locker = await connectClient({ url: env.DATABASE_URL, proxy: env.DB_PROXY });
    let created;
    let killed = 0;
    try {
      await locker.query("BEGIN");
      await locker.query("LOCK TABLE query.categories IN SHARE MODE");
      // Holding no transaction id, the locker does not hold the log back: the projector does read the event.
      expect((await locker.query("SELECT pg_current_xact_id_if_assigned() AS xid")).rows[0].xid).toBeNull();
      created = await gqlData(`mutation { createCategory(input: { name: "Survives broken connections" }) { id } }`);

      // More broken batches than the old runner's 3 tries + 3 one-event tries before it marked the event failed.
      const deadline = Date.now() + 30_000;
      while (killed < 8 && Date.now() < deadline) {
        // Inside a transaction pg_stat_activity is read once and kept: look again each round.
        await locker.query("SELECT pg_stat_clear_snapshot()");
        const { rows } = await locker.query(
          `SELECT pg_terminate_backend(pid) AS done FROM pg_stat_activity
           WHERE pid <> pg_backend_pid() AND wait_event_type = 'Lock' AND query ILIKE '%query.categories%'`,
        );
        killed += rows.filter((row) => row.done).length;
        await sleep(20);
      }
    } finally {
      await locker.query("COMMIT").catch(() => undefined);
      await locker.end();
    }
    console.log(`terminated the projector's connection ${killed} times`);
    expect(killed).toBeGreaterThanOrEqual(8);
    const status = await projectionStatus("categories");
    expect(status).toMatchObject({ failedSequence: null, lastError: null });
    expect(status.status).not.toBe("failed");

    const read = await gql(`query($id: ID!, $p: String) { category(id: $id, minPosition: $p) { name } }`, { id: created.createCategory.id, p: created.position });
    expect(errorCode(read)).toBeUndefined();
    expect(read.data?.category).toEqual({ name: "Survives broken connections" });
  });
});
