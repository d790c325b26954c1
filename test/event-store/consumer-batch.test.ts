// The consumer runner's own guarantees, on the real Postgres: events of other
// types are filtered out in SQL while the checkpoint still moves past them,
// two runners of one consumer never apply an event twice, and a consumer that
// fails stops right before the event it failed at.
import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { appendToStream, readGlobalLog, type StoredEvent } from "../../src/event-store/index.ts";
import { readCheckpoints } from "../../src/consumers/checkpoints.ts";
import { runConsumerBatch, type Consumer } from "../../src/consumers/consumer.ts";
import { advanceCheckpoint, readConsumerPage } from "../../src/consumers/page.ts";
import { runUntilCaughtUp } from "../../src/consumers/runner.ts";
import { START } from "../../src/event-store/position.ts";
import { testPool } from "../support/database.ts";
import { headPosition, headReaching, withConnection } from "./support.ts";

const db = testPool(6);
afterAll(() => db.end());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A consumer of its own event types, starting at the head of the log (so it does not replay other tests' events). */
async function freshConsumer(apply: Consumer["apply"]): Promise<{ consumer: Consumer; wanted: string; other: string }> {
  const tag = randomUUID().slice(0, 8);
  const consumer: Consumer = { name: `test-consumer-${tag}`, eventTypes: [`wanted-${tag}`], apply };
  await advanceCheckpoint(db, consumer.name, START, await headPosition(db));
  return { consumer, wanted: `wanted-${tag}`, other: `other-${tag}` };
}

describe("consumer batches", () => {
  it("hands the consumer only its event types, and moves the checkpoint past the others without handing them over", async () => {
    const applied: StoredEvent[] = [];
    const { consumer, wanted, other } = await freshConsumer(async (_db, events) => void applied.push(...events));
    const streamId = randomUUID();
    await appendToStream(db, "consumer-test", streamId, [{ type: other, data: {} }, { type: wanted, data: { n: 1 } }, { type: other, data: {} }], {
      expectedVersion: 0,
    });
    const last = await appendToStream(db, "consumer-test", streamId, [{ type: other, data: {} }], { expectedVersion: 3 });
    await headReaching(db, last.position!);

    await withConnection(db, async (connection) => {
      const result = await runUntilCaughtUp(async () => connection, consumer);
      expect(result.status).toBe("caught_up");
    });
    expect(applied.map((event) => event.type)).toEqual([wanted]);
    // The checkpoint is past the trailing events of the other type too: the next page is empty and starts after them.
    const checkpoint = (await readCheckpoints(db, [consumer.name])).get(consumer.name)!;
    const page = await readConsumerPage(db, consumer.name, consumer.eventTypes, 10, checkpoint);
    expect(page.events).toEqual([]);
    expect(page.passedOver).toEqual({ moved: 0 });
    expect((await readGlobalLog(db, { after: page.checkpoint, filter: { streamId } })).events).toEqual([]);
    expect((await readCheckpoints(db, [consumer.name])).get(consumer.name)!.processedCount).toBeGreaterThanOrEqual(4);
  });

  it("moves the checkpoint past a page with nothing for it in the statement that reads it", async () => {
    const { consumer, other } = await freshConsumer(async () => {
      throw new Error("nothing of this consumer's types was appended");
    });
    const streamId = randomUUID();
    const appended = await appendToStream(db, "consumer-test", streamId, [{ type: other, data: {} }, { type: other, data: {} }], { expectedVersion: 0 });
    await headReaching(db, appended.position!);
    const before = (await readCheckpoints(db, [consumer.name])).get(consumer.name)!;

    const page = await readConsumerPage(db, consumer.name, consumer.eventTypes, 10, before);
    expect(page.events).toEqual([]);
    expect(page.passedOver).toMatchObject({ moved: expect.any(Number) });
    const after = (await readCheckpoints(db, [consumer.name])).get(consumer.name)!;
    expect(after.processedCount - before.processedCount).toBeGreaterThanOrEqual(2);
    expect((await readGlobalLog(db, { after, filter: { streamId } })).events).toEqual([]);
  });

  it("two runners of one consumer at the same time apply each event once", async () => {
    const applied: number[] = [];
    const { consumer, wanted } = await freshConsumer(async (_db, events) => {
      await sleep(100); // long enough for the other runner to read the same page meanwhile
      applied.push(...events.map((event) => event.globalSequence));
    });
    const streamId = randomUUID();
    let version = 0;
    let position = "";
    for (let i = 0; i < 6; i++) {
      const result = await appendToStream(db, "consumer-test", streamId, [{ type: wanted, data: { i } }], { expectedVersion: version });
      version = result.nextExpectedVersion;
      position = result.position!;
    }
    await headReaching(db, position);

    // Both connections open before either runner starts, so their batches overlap.
    const [a, b] = await Promise.all([db.connect(), db.connect()]);
    try {
      const runner = async (connection: typeof a) => {
        for (let i = 0; i < 6; i++) await runConsumerBatch(connection, consumer, { batchSize: 2 });
      };
      await Promise.all([runner(a), runner(b)]);
    } finally {
      a.release();
      b.release();
    }
    await withConnection(db, (connection) => runUntilCaughtUp(async () => connection, consumer));
    expect(applied).toHaveLength(6);
    expect(new Set(applied).size).toBe(6);
  });

  it.each([false, true])("stops right before the event it fails at, past the events of other types before it (applies elsewhere: %s)", async (appliesElsewhere) => {
    const fresh = await freshConsumer(async (_db, events) => {
      if (events.some((event) => (event.data as { poison?: boolean }).poison)) throw new Error("cannot apply a poisoned event");
    });
    const { wanted, other } = fresh;
    const consumer = { ...fresh.consumer, appliesElsewhere };
    const streamId = randomUUID();
    const first = await appendToStream(db, "consumer-test", streamId, [{ type: other, data: {} }, { type: other, data: {} }], { expectedVersion: 0 });
    const poisoned = await appendToStream(db, "consumer-test", streamId, [{ type: wanted, data: { poison: true } }], { expectedVersion: 2 });
    await headReaching(db, poisoned.position!);

    const result = await withConnection(db, (connection) => runUntilCaughtUp(async () => connection, consumer, { attempts: 1 }));
    expect(result).toMatchObject({ status: "failed", failedSequence: poisoned.globalSequences[0] });
    const checkpoint = (await readCheckpoints(db, [consumer.name])).get(consumer.name)!;
    expect(checkpoint.globalSequence).toBeGreaterThanOrEqual(first.globalSequences[1]!);
    // What an admin's skip takes as next: the failed event itself, not an event of another type before it.
    const [next] = (await readGlobalLog(db, { after: checkpoint, limit: 1 })).events;
    expect(next!.globalSequence).toBe(poisoned.globalSequences[0]);
  });

  it("applies a consumer that applies elsewhere with no transaction open, and moves its checkpoint only once apply returned", async () => {
    const seen: { state: string; checkpointBefore: boolean }[] = [];
    let pid = 0;
    let target = 0;
    const fresh = await freshConsumer(async () => {
      const { rows } = await db.query<{ state: string }>("SELECT state FROM pg_stat_activity WHERE pid = $1", [pid]);
      const checkpoint = (await readCheckpoints(db, [fresh.consumer.name])).get(fresh.consumer.name)!;
      seen.push({ state: rows[0]!.state, checkpointBefore: checkpoint.globalSequence < target });
    });
    const consumer = { ...fresh.consumer, appliesElsewhere: true };
    const appended = await appendToStream(db, "consumer-test", randomUUID(), [{ type: fresh.wanted, data: {} }], { expectedVersion: 0 });
    target = appended.globalSequences[0]!;
    await headReaching(db, appended.position!);

    await withConnection(db, async (connection) => {
      pid = (await connection.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0]!.pid;
      expect((await runUntilCaughtUp(async () => connection, consumer)).status).toBe("caught_up");
    });
    // "idle in transaction" would hold the gap-safe bound of every consumer back while apply waits.
    expect(seen).toEqual([{ state: "idle", checkpointBefore: true }]);
    expect((await readCheckpoints(db, [consumer.name])).get(consumer.name)!.globalSequence).toBeGreaterThanOrEqual(target);
  });
});
