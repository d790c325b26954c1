import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { PubSubMessage } from "../../src/subscriptions/message-cache.ts";
import { SLOW_CONSUMER } from "../../src/subscriptions/live-subscriptions.ts";
import { acknowledged, subscribe, type OpenSocket } from "./socket-client.ts";

// A client that does not keep up (here: never confirms, as a stalled TCP
// reader would not) is closed once 4 MiB (BROADCASTER_SOCKET_BUFFER_BYTES's
// default) are sent and unconfirmed; a client that keeps up on the same shard
// gets everything, and the slow one resumes from its last id.

const BLOB = "x".repeat(100_000);

function bigMessages(from: number, count: number): PubSubMessage[] {
  return Array.from({ length: count }, (_, index) => {
    const n = from + index;
    return { id: `${5_000 + n}-${n}`, topic: "events", timestamp: new Date(1_700_000_000_000 + n).toISOString(), source: "test", payload: { n, blob: BLOB } };
  });
}

const stream = (after?: string) => ({ query: "subscription ($after: String) { pubsubStream(topic: \"events\", after: $after) { id payload } }", variables: { after } });

async function nextIds(client: OpenSocket, count: number): Promise<string[]> {
  const ids: string[] = [];
  while (ids.length < count) {
    const message = await client.next();
    if (message["type"] === "ping") continue;
    ids.push((message["payload"] as { data: { pubsubStream: { id: string } } }).data.pubsubStream.id);
  }
  return ids;
}

describe("a client that cannot keep up", () => {
  it("is closed with 4503 without holding up the others, and resumes from its cursor", async () => {
    const shard = env.BROADCASTER.getByName(`slow-${crypto.randomUUID()}`);
    const keepsUp = await acknowledged("/graphql", shard);
    const stalled = await acknowledged("/graphql", shard, { answerPings: false });
    await subscribe(keepsUp, "all", stream());
    await subscribe(stalled, "all", stream());
    let stalledClose: { code: number; reason: string } | undefined;
    void stalled.closed.then((close) => (stalledClose = close));

    // Ten publishes of five 100 KB messages; the one that keeps up reads each batch before the next.
    const published: PubSubMessage[] = [];
    for (let batch = 0; batch < 10; batch++) {
      const messages = bigMessages(batch * 5 + 1, 5);
      published.push(...messages);
      await shard.publish(messages);
      expect(await nextIds(keepsUp, 5)).toEqual(messages.map((m) => m.id));
    }
    const close = await stalled.closed;
    expect(close.code).toBe(SLOW_CONSUMER.code);
    expect(stalledClose?.reason).toContain("after");

    // What the stalled client read before the close, then resume from its last id.
    const seen: string[] = [];
    for (let message = await stalled.next().catch(() => undefined); message; message = await Promise.race([stalled.next(), Promise.resolve(undefined)])) {
      if (message["type"] === "next") seen.push((message["payload"] as { data: { pubsubStream: { id: string } } }).data.pubsubStream.id);
    }
    expect(seen.length).toBeGreaterThan(30);
    expect(seen.length).toBeLessThan(50);
    const again = await acknowledged("/graphql", shard);
    const replay = await subscribe(again, "resume", stream(seen.at(-1)));
    expect(replay.map((m) => (m["payload"] as { data: { pubsubStream: { id: string } } }).data.pubsubStream.id)).toEqual(published.slice(seen.length).map((m) => m.id));
    keepsUp.socket.close(1000, "done");
    again.socket.close(1000, "done");
  });
});
