import { env } from "cloudflare:workers";
import { evictDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { PubSubMessage } from "../../src/subscriptions/message-cache.ts";
import { acknowledged, subscribe, type OpenSocket } from "./socket-client.ts";

// Resuming from a cursor, against a real broadcaster shard of its own (fed by
// RPC as the publisher feeds every shard), with sockets opened straight to it.

const freshShard = () => env.BROADCASTER.getByName(`resume-${crypto.randomUUID()}`);

/** Messages shaped as the publisher makes them: ids are log positions, one transaction per event. */
function events(from: number, count: number, topic = "events"): PubSubMessage[] {
  return Array.from({ length: count }, (_, index) => {
    const n = from + index;
    const id = `${1_000 + n}-${n}`;
    return {
      id,
      topic,
      timestamp: new Date(1_700_000_000_000 + n).toISOString(),
      source: "test",
      payload: { id: String(n), position: id, aggregateId: `a-${n}`, aggregateType: n % 2 ? "product" : "category", eventType: "x.happened", eventData: { n }, occurredAt: new Date(1_700_000_000_000 + n).toISOString() },
    };
  });
}

const pubsubStream = (after?: string) => ({
  query: `subscription ($after: String) { pubsubStream(topic: "events", after: $after) { id } }`,
  variables: { after },
});

async function received(client: OpenSocket, count: number): Promise<string[]> {
  const ids: string[] = [];
  while (ids.length < count) {
    const message = await client.next();
    expect(message["type"]).toBe("next");
    ids.push((message["payload"] as { data: { pubsubStream: { id: string } } }).data.pubsubStream.id);
  }
  return ids;
}

const idsOf = (messages: Record<string, unknown>[]) => messages.map((m) => (m["payload"] as { data: Record<string, { id: string }> }).data)
  .map((data) => Object.values(data)[0]!.id);

describe("resuming a subscription with after", () => {
  it("replays what the client missed, then goes live with no gap and no duplicate", async () => {
    const shard = freshShard();
    const published = events(1, 10);
    await shard.publish(published);
    const client = await acknowledged("/graphql", shard);

    const replayed = await subscribe(client, "resume", pubsubStream(published[3]!.id));
    expect(idsOf(replayed)).toEqual(published.slice(4).map((m) => m.id));

    const live = events(11, 3);
    await shard.publish([...published.slice(8), ...live]); // a redelivered overlap is not sent again
    expect(await received(client, 3)).toEqual(live.map((m) => m.id));
    client.send({ type: "ping" });
    expect(await client.next()).toEqual({ type: "pong" });
    client.socket.close(1000, "done");
  });

  it("replays eventStream and sagaUpdates through their own filters and shapes", async () => {
    const shard = freshShard();
    const published = events(1, 6);
    const sagaEvent: PubSubMessage = {
      ...events(7, 1, "sagas")[0]!,
      payload: { position: "1007-7", aggregateId: "saga-1", aggregateType: "order_saga", eventType: "payment.failed", occurredAt: "2026-12-01T00:00:00.000Z", eventData: { step: "process_payment", attempt: 2, error: { code: "PAYMENT_DECLINED", message: "declined" } } },
    };
    await shard.publish([...published, sagaEvent]);
    const client = await acknowledged("/socket", shard);

    const products = await subscribe(client, "products", { query: `subscription { eventStream(aggregateType: "product", after: "${published[0]!.id}") { position aggregateType } }` });
    expect(products.map((m) => (m["payload"] as { data: { eventStream: unknown } }).data.eventStream)).toEqual(
      [published[2], published[4]].map((m) => ({ position: m!.id, aggregateType: "product" })),
    );
    const sagas = await subscribe(client, "sagas", { query: `subscription { sagaUpdates(sagaType: "order_saga", after: "0-0") { position sagaId status step attempt failure { step code } } }` });
    expect(sagas).toEqual([
      { type: "next", id: "sagas", payload: { data: { sagaUpdates: { position: "1007-7", sagaId: "saga-1", status: null, step: "process_payment", attempt: 2, failure: { step: "process_payment", code: "PAYMENT_DECLINED" } } } } },
    ]);
    client.socket.close(1000, "done");
  });

  it("misses nothing and repeats nothing when publishes arrive while clients resume", async () => {
    const shard = freshShard();
    const all = events(1, 71);
    await shard.publish(all.slice(0, 10));
    const clients = await Promise.all(Array.from({ length: 4 }, () => acknowledged("/graphql", shard)));
    const cursors = [0, 3, 6, 9].map((index) => all[index]!.id);

    // 30 publishes of two messages race the four subscribes; the last message comes after all of them.
    const racing = Array.from({ length: 30 }, (_, batch) => shard.publish(all.slice(10 + batch * 2, 12 + batch * 2)));
    clients.forEach((client, index) => client.send({ type: "subscribe", id: "resume", payload: pubsubStream(cursors[index]) }));
    await Promise.all(racing);
    await shard.publish(all.slice(70));

    for (const [index, client] of clients.entries()) {
      const expected = all.filter((m) => m.id > cursors[index]!).map((m) => m.id);
      expect(await received(client, expected.length)).toEqual(expected);
      client.socket.close(1000, "done");
    }
  });

  it("sends nothing up to a cursor this shard has not reached yet (the client saw it on another shard)", async () => {
    const shard = freshShard();
    const published = events(1, 8);
    await shard.publish(published.slice(0, 3));
    const client = await acknowledged("/graphql", shard);

    expect(await subscribe(client, "ahead", pubsubStream(published[5]!.id))).toEqual([]);
    await shard.publish(published.slice(3));
    expect(await received(client, 2)).toEqual(published.slice(6).map((m) => m.id));
    client.socket.close(1000, "done");
  });

  it("answers CURSOR_TOO_OLD once the cache dropped a message after the cursor, per topic", async () => {
    const shard = freshShard();
    // BROADCASTER_CACHE_SIZE is 1000: the first five events are evicted.
    const sagas = events(0, 1, "sagas");
    const published = events(1, 1_005);
    await shard.publish([...sagas, ...published]);
    const client = await acknowledged("/graphql", shard);

    const tooOld = await subscribe(client, "old", pubsubStream(published[3]!.id));
    expect(tooOld).toMatchObject([{ type: "error", id: "old", payload: [{ extensions: { code: "CURSOR_TOO_OLD" } }] }]);

    // Just at the eviction edge: everything after it is still there.
    const edge = await subscribe(client, "edge", pubsubStream(published[4]!.id));
    expect(idsOf(edge)).toEqual(published.slice(5).map((m) => m.id));

    // The sagas topic lost its message to eviction too.
    const sagasTooOld = await subscribe(client, "sagas", { query: `subscription { pubsubStream(topic: "sagas", after: "0-0") { id } }` });
    expect(sagasTooOld).toMatchObject([{ type: "error", id: "sagas", payload: [{ extensions: { code: "CURSOR_TOO_OLD" } }] }]);
    client.socket.close(1000, "done");
  });

  it("answers a malformed cursor with VALIDATION_ERROR and keeps the socket", async () => {
    const client = await acknowledged("/graphql", freshShard());
    for (const after of ["yesterday", "12", "-1-2", ""]) {
      const answer = await subscribe(client, `bad-${after}`, pubsubStream(after));
      expect(answer).toMatchObject([{ type: "error", id: `bad-${after}`, payload: [{ extensions: { code: "VALIDATION_ERROR" } }] }]);
    }
    client.socket.close(1000, "done");
  });
});

describe("a broadcaster evicted with sockets attached", () => {
  it("still delivers to every subscription, from the sockets' attachments", async () => {
    const shard = freshShard();
    const first = await acknowledged("/graphql", shard);
    const second = await acknowledged("/socket", shard);
    await subscribe(first, "all", pubsubStream());
    await subscribe(second, "products", { query: 'subscription { eventStream(aggregateType: "product") { position } }' });

    await evictDurableObject(shard);
    const published = events(1, 4);
    expect(await shard.publish(published)).toEqual({ accepted: 4 });

    expect(await received(first, 4)).toEqual(published.map((m) => m.id));
    const products = [await second.next(), await second.next()];
    expect(products.map((m) => (m["payload"] as { data: { eventStream: { position: string } } }).data.eventStream.position)).toEqual([published[0]!.id, published[2]!.id]);
    first.socket.close(1000, "done");
    second.socket.close(1000, "done");
  });
});
