import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { broadcasterSettings, shardNames } from "../../src/subscriptions/settings.ts";
import { gqlData, sleep } from "./support.ts";

// The real path: a mutation commits, the commit wakes the publisher (a log
// consumer run by ProjectorDO), and the publisher pushes to every shard.

async function eventsOf(shard: string, aggregateId: string) {
  const cached = await env.BROADCASTER.getByName(shard).recentMessages("events", 1_000);
  return cached.filter((message) => message.payload["aggregateId"] === aggregateId);
}

describe("the broadcast publisher", () => {
  it("delivers a committed event to every shard exactly once, with its log position as id", async () => {
    const created = await gqlData(`mutation { createCategory(input: { name: "Broadcast ${crypto.randomUUID()}" }) { id } }`);
    const id: string = created.createCategory.id;
    await gqlData(`mutation { updateCategory(input: { id: "${id}", description: "seen live" }) { version } }`);

    const shards = shardNames(broadcasterSettings(env));
    expect(shards).toHaveLength(2);
    for (const shard of shards) {
      let delivered = await eventsOf(shard, id);
      for (let tries = 0; delivered.length < 2 && tries < 100; tries++) {
        await sleep(100);
        delivered = await eventsOf(shard, id);
      }
      expect(delivered.map((m) => m.payload["eventType"])).toEqual(["category.created", "category.updated"]);
      expect(delivered.map((m) => m.id)).toEqual(delivered.map((m) => m.payload["position"]));
      expect(delivered[0]).toMatchObject({ topic: "events", source: "event-store", payload: { aggregateType: "category", eventData: { name: expect.stringContaining("Broadcast") } } });
    }
  });
});
