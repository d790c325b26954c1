import { abortAllDurableObjects } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { BROADCAST_PUBLISHER } from "../../src/subscriptions/publisher.ts";
import { broadcasterSettings, shardNames } from "../../src/subscriptions/settings.ts";
import { gql, gqlData, withDb } from "../workers/support.ts";
import { caughtUp, waitForStatus } from "./support.ts";

// The broadcast publisher reads a batch from the log, pushes it to every
// shard, then moves its checkpoint. Aborting every Durable Object over and
// over (the publisher's ProjectorDO and the shards) lands crashes between
// the read and the push and between the push and the checkpoint: the events
// topic must still hold each committed event once, in log order.

/** The positions of the events of a category and its children, in log order. */
function eventsOf(parentId: string): Promise<string[]> {
  return withDb(async (db) => {
    const { rows } = await db.query<{ position: string }>(
      `SELECT e.transaction_id::text || '-' || e.global_sequence AS position FROM event_store.events e
       WHERE e.aggregate_id = $1 OR e.aggregate_id IN (SELECT id FROM command.categories WHERE parent_id = $1)
       ORDER BY e.transaction_id, e.global_sequence`,
      [parentId],
    );
    return rows.map((row) => row.position);
  });
}

describe("the broadcast publisher under crashes", () => {
  it("loses and duplicates no event on any shard when every Durable Object is aborted mid-load", async () => {
    const { createCategory: parent } = await gqlData(`mutation { createCategory(input: { name: "Publisher chaos ${crypto.randomUUID()}" }) { id } }`);
    let loading = true;
    const writer = async (w: number) => {
      // A write an abort interrupts fails; the ones that commit are what must arrive.
      const attempt = (query: string, variables: Record<string, unknown>) => gql(query, variables).catch(() => ({ data: undefined }));
      for (let i = 0; loading; i++) {
        const created = await attempt(`mutation($p: ID!, $n: String!) { createCategory(input: { name: $n, parentId: $p }) { id } }`, { p: parent.id, n: `p${w}-${i}` });
        const id = created.data?.createCategory?.id;
        if (id) await attempt(`mutation($id: ID!, $n: String!) { updateCategory(input: { id: $id, name: $n }) { id } }`, { id, n: `p${w}-${i} renamed` });
      }
    };
    const writers = Promise.allSettled(Array.from({ length: 5 }, (_, w) => writer(w)));
    // At least 8 aborts, and on until more than 20 events committed: how many
    // get through 8 rounds depends on the machine's load (6 once, at load 14).
    const enough = Date.now() + 40_000;
    for (let round = 0; round < 8 || ((await eventsOf(parent.id)).length <= 20 && Date.now() < enough); round++) {
      await new Promise((resolve) => setTimeout(resolve, 700));
      await abortAllDurableObjects().catch(() => undefined);
    }
    loading = false;
    await writers;

    // Wake-ups were lost on purpose; wake once, as the alarm would later.
    await env.PROJECTOR.getByName(BROADCAST_PUBLISHER).wake(BROADCAST_PUBLISHER);
    await waitForStatus(BROADCAST_PUBLISHER, caughtUp);

    const committed = await eventsOf(parent.id);
    expect(committed.length).toBeGreaterThan(20);
    for (const shard of shardNames(broadcasterSettings(env))) {
      const cached = await env.BROADCASTER.getByName(shard).recentMessages("events", 1_000);
      const ours = new Set(committed);
      expect(cached.map((m) => m.id).filter((id) => ours.has(id)), shard).toEqual(committed);
    }
  });

  it("a crash after the push and before the checkpoint redelivers a batch that no shard takes twice", async () => {
    const name = `Redelivered ${crypto.randomUUID()}`;
    const { createCategory: category } = await gqlData(`mutation { createCategory(input: { name: "${name}" }) { id } }`);
    for (let i = 0; i < 3; i++) await gqlData(`mutation($id: ID!) { updateCategory(input: { id: $id, description: "v${i}" }) { id } }`, { id: category.id });
    await waitForStatus(BROADCAST_PUBLISHER, caughtUp);

    // The state such a crash leaves behind: every shard has the batch, the checkpoint is still before it.
    await withDb((db) =>
      db.query(
        `UPDATE query.checkpoints SET (transaction_id, global_sequence) =
           (SELECT transaction_id, global_sequence - 1 FROM event_store.events WHERE aggregate_id = $2 ORDER BY global_sequence LIMIT 1)
         WHERE consumer = $1`,
        [BROADCAST_PUBLISHER, category.id],
      ),
    );
    // The next commit wakes the publisher, which reads the batch again and pushes it again.
    await gqlData(`mutation($id: ID!) { updateCategory(input: { id: $id, description: "after" }) { id } }`, { id: category.id });
    await waitForStatus(BROADCAST_PUBLISHER, caughtUp);

    for (const shard of shardNames(broadcasterSettings(env))) {
      const cached = await env.BROADCASTER.getByName(shard).recentMessages("events", 1_000);
      const types = cached.filter((m) => m.payload["aggregateId"] === category.id).map((m) => m.payload["eventType"]);
      expect(types, shard).toEqual(["category.created", "category.updated", "category.updated", "category.updated", "category.updated"]);
    }
  });
});
