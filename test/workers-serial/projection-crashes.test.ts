import { abortAllDurableObjects } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { gql, gqlData, withDb } from "../workers/support.ts";
import { caughtUp, projectionStatus, waitForStatus } from "./support.ts";

/** Versions of the categories under `parentId`, on the command side and in the read model. */
async function versionsUnder(parentId: string) {
  return withDb(async (db) => {
    const { rows } = await db.query<{ id: string; stream: number; command: number | null; read: number | null }>(
      `SELECT s.stream_id::text AS id, s.version AS stream, c.version AS command, q.version AS read
       FROM command.categories c
       JOIN event_store.streams s ON s.stream_id = c.id
       LEFT JOIN query.categories q ON q.id = c.id
       WHERE c.parent_id = $1 ORDER BY 1`,
      [parentId],
    );
    return rows;
  });
}

describe("projections under crashes and concurrency", () => {
  it("aborting every Durable Object and killing Postgres connections mid-load loses and duplicates nothing", async () => {
    const { createCategory: parent } = await gqlData(`mutation { createCategory(input: { name: "Chaos parent" }) { id } }`);
    let loading = true;
    // How many creates get through the chaos depends on the machine's speed:
    // write until enough have, so the checks below always have rows to check.
    let created = 0;
    const deadline = Date.now() + 60_000;
    const writer = async (w: number) => {
      for (let i = 0; created < 20 && Date.now() < deadline; i++) {
        const answer = await gql(`mutation($p: ID!, $n: String!) { createCategory(input: { name: $n, parentId: $p }) { id } }`, { p: parent.id, n: `w${w}-${i}` });
        const id = answer.data?.createCategory?.id;
        if (!id) continue;
        created++;
        await gql(`mutation($id: ID!, $n: String!) { updateCategory(input: { id: $id, name: $n }) { id } }`, { id, n: `w${w}-${i} renamed` });
      }
    };
    const chaos = async () => {
      for (let round = 0; loading; round++) {
        await new Promise((resolve) => setTimeout(resolve, 120));
        if (round % 2 === 0) await abortAllDurableObjects().catch(() => undefined);
        else
          await withDb((db) =>
            db.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                      WHERE pid <> pg_backend_pid() AND datname = current_database() AND backend_type = 'client backend'`),
          ).catch(() => undefined);
      }
    };
    const chaosDone = chaos();
    await Promise.allSettled(Array.from({ length: 6 }, (_, w) => writer(w)));
    loading = false;
    await chaosDone;

    // The chaos lost wake-ups on purpose (aborted Durable Objects); wake once, as the alarm would later.
    await env.PROJECTOR.getByName("categories").wake("categories");
    await waitForStatus("categories", caughtUp);
    const rows = await versionsUnder(parent.id);
    expect(rows.length).toBeGreaterThan(10);
    for (const row of rows) {
      // The command table commits with the append; the read model must have reached the same version.
      expect(row, row.id).toMatchObject({ command: row.stream, read: row.stream });
    }
  });

  it("8 concurrent writers: the read model has every category, none missing", async () => {
    const { createCategory: parent } = await gqlData(`mutation { createCategory(input: { name: "Busy parent" }) { id } }`);
    await Promise.all(
      Array.from({ length: 8 }, async (_, w) => {
        for (let i = 0; i < 20; i++) await gqlData(`mutation($p: ID!, $n: String!) { createCategory(input: { name: $n, parentId: $p }) { id } }`, { p: parent.id, n: `b${w}-${i}` });
      }),
    );
    await waitForStatus("categories", caughtUp);
    const rows = await versionsUnder(parent.id);
    expect(rows).toHaveLength(160);
    expect(rows.filter((row) => row.read !== row.stream)).toEqual([]);
    const status = await projectionStatus("categories");
    expect(status.lagP50Ms).not.toBeNull();
    expect(status.lagP99Ms).toBeGreaterThanOrEqual(status.lagP50Ms!);
    // 160 new aggregates (a Durable Object and a connection each): 33 s on a
    // quiet 2-core machine, 116 s at load 12, against the project's 120 s.
  }, 240_000);
});
