import { env, exports } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { MessageCache, type PubSubMessage } from "../../src/subscriptions/message-cache.ts";
import { broadcasterSettings, shardNames } from "../../src/subscriptions/settings.ts";

// A real broadcaster shard of its own (not one the Worker routes sockets to),
// fed by RPC as the publisher feeds every shard.

function messages(count: number): PubSubMessage[] {
  return Array.from({ length: count }, (_, index) => ({
    // Log positions, as the publisher assigns them: one transaction per ten events.
    id: `${100 + Math.floor(index / 10)}-${index + 1}`,
    topic: index % 3 === 0 ? "sagas" : "events",
    payload: { n: index + 1 },
    timestamp: new Date(1_700_000_000_000 + index).toISOString(),
    source: "test",
  }));
}

describe("a broadcaster shard's message cache", () => {
  it("keeps exactly the last 1,000 of 1,500 messages, with every topic's count", async () => {
    const shard = env.BROADCASTER.getByName(`cache-${crypto.randomUUID()}`);
    const published = messages(1_500);
    expect(await shard.publish(published)).toEqual({ accepted: 1_500 });

    const kept = await shard.recentMessages(null, 5_000);
    expect(kept).toHaveLength(1_000);
    expect(kept.map((m) => m.id)).toEqual(published.slice(500).map((m) => m.id));
    expect(kept[0]).toEqual(published[500]);

    const sagas = await shard.recentMessages("sagas", 3);
    expect(sagas.map((m) => m.payload)).toEqual([{ n: 1_492 }, { n: 1_495 }, { n: 1_498 }]);

    const stats = await shard.topicStats();
    expect(stats.map(({ topic, messageCount, lastMessageAt }) => ({ topic, messageCount, lastMessageAt }))).toEqual([
      { topic: "events", messageCount: 1_000, lastMessageAt: published[1_499]!.timestamp },
      { topic: "sagas", messageCount: 500, lastMessageAt: published[1_497]!.timestamp },
    ]);
    // All 1,500 arrived within the last minute, evicted ones included.
    expect(stats.map((s) => s.messagesPerSecond)).toEqual([1_000 / 60, 500 / 60]);
  });

  it("ignores a redelivered batch and the already-seen part of an overlapping one", async () => {
    const shard = env.BROADCASTER.getByName(`cache-${crypto.randomUUID()}`);
    const published = messages(30);
    expect(await shard.publish(published.slice(0, 20))).toEqual({ accepted: 20 });
    expect(await shard.publish(published.slice(0, 20))).toEqual({ accepted: 0 });
    expect(await shard.publish(published.slice(10, 30))).toEqual({ accepted: 10 });

    expect((await shard.recentMessages(null, 100)).map((m) => m.id)).toEqual(published.map((m) => m.id));
    expect((await shard.topicStats()).map((s) => [s.topic, s.messageCount])).toEqual([["events", 20], ["sagas", 10]]);
  });

  it("still ignores a redelivered batch after the object restarted (each topic's last id read back from storage)", async () => {
    const shard = env.BROADCASTER.getByName(`cache-${crypto.randomUUID()}`);
    const published = messages(30);
    expect(await shard.publish(published.slice(0, 20))).toEqual({ accepted: 20 });
    // A new cache over the same storage is what a restarted shard builds.
    const accepted = await runInDurableObject(shard, (_instance, state) => new MessageCache(state.storage.sql, 1_000).publish(published.slice(10, 30)));
    expect(accepted.map((m) => m.id)).toEqual(published.slice(20).map((m) => m.id));
  });
});

describe("pubsubMessages and pubsubStats", () => {
  it("answer from a shard what every shard was sent", async () => {
    const published = messages(4);
    for (const name of shardNames(broadcasterSettings(env))) await env.BROADCASTER.getByName(name).publish(published);

    const response = await exports.default.fetch("http://test.local/graphql", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: '{ pubsubMessages(topic: "events", limit: 2) { id topic payload source } pubsubStats { topic messageCount } }' }),
    });
    expect(await response.json()).toEqual({
      data: {
        pubsubMessages: [
          { id: "100-2", topic: "events", payload: { n: 2 }, source: "test" },
          { id: "100-3", topic: "events", payload: { n: 3 }, source: "test" },
        ],
        pubsubStats: [{ topic: "events", messageCount: 2 }, { topic: "sagas", messageCount: 2 }],
      },
    });
  });

  it("still drops a topic's per-second counts once they leave the rate window (trimmed when the second changes, not on every publish)", async () => {
    await runInDurableObject(env.BROADCASTER.getByName(`rates-${crypto.randomUUID()}`), (_instance, state) => {
      const cache = new MessageCache(state.storage.sql, 1_000);
      const seconds = () => state.storage.sql.exec<{ second: number }>("SELECT second FROM topic_second ORDER BY second").toArray().map((row) => row.second);
      const [first, second, third] = messages(3);
      const t = 1_800_000_000_000;
      cache.publish([first!], t);
      cache.publish([second!], t + 30_000);
      expect(seconds()).toEqual([t / 1000, t / 1000 + 30]);
      // A minute after the first: its second has left the window and goes, the other stays.
      cache.publish([third!], t + 60_500);
      expect(seconds()).toEqual([t / 1000 + 30, t / 1000 + 60]);
      expect(cache.stats(t + 60_500).map((s) => s.messagesPerSecond)).toEqual([2 / 60, 0]);
    });
  });
});
