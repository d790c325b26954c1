// What keeps a read model's lag short without loosening its guarantees: a
// wake-up ends a held-back pause at once (the blocker is usually an append
// whose commit wakes the consumer), and a read model's batches commit without
// waiting for the WAL flush while every other consumer's still wait for it.
import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { appendToStream, type NamedStatement, type Queryable } from "../../src/event-store/index.ts";
import { runConsumerBatch, type Consumer } from "../../src/consumers/consumer.ts";
import { advanceCheckpoint } from "../../src/consumers/page.ts";
import { WakeUps, runUntilCaughtUp } from "../../src/consumers/runner.ts";
import { START } from "../../src/event-store/position.ts";
import { projectionConsumer } from "../../src/projections/projection.ts";
import { PROJECTIONS } from "../../src/projections/registry.ts";
import { testPool } from "../support/database.ts";
import { headPosition, headReaching, openTransaction, withConnection } from "./support.ts";

const db = testPool(4);
afterAll(() => db.end());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function freshConsumer(apply: Consumer["apply"], rederivable?: boolean): Promise<{ consumer: Consumer; wanted: string }> {
  const tag = randomUUID().slice(0, 8);
  const consumer: Consumer = { name: `test-latency-${tag}`, eventTypes: [`wanted-${tag}`], apply, ...(rederivable ? { rederivable } : {}) };
  await advanceCheckpoint(db, consumer.name, START, await headPosition(db));
  return { consumer, wanted: `wanted-${tag}` };
}

describe("a consumer held back by an older open transaction", () => {
  it("reads again as soon as a wake-up comes, not at the end of its (by then long) pause", async () => {
    const applied: number[] = [];
    const { consumer, wanted } = await freshConsumer(async (_db, events) => void applied.push(...events.map((e) => e.globalSequence)));
    const blocker = await openTransaction(db);
    await blocker.client.query("SELECT pg_current_xact_id()");
    let blockerOpen = true;
    try {
      // Committed after the blocker took its transaction id: beyond the xmin bound until the blocker ends.
      const appended = await appendToStream(db, "consumer-test", randomUUID(), [{ type: wanted, data: {} }], { expectedVersion: 0 });

      const wakeUps = new WakeUps();
      const readsStartedAt: number[] = [];
      let seventhRead: () => void;
      const inLongPause = new Promise<void>((resolve) => (seventhRead = resolve));
      const run = withConnection(db, (connection) => {
        const counting: Queryable = {
          query: async (statement: string | NamedStatement, params?: unknown[]) => {
            const page = (typeof statement === "string" ? statement : statement.text).startsWith("WITH bound");
            if (page) readsStartedAt.push(Date.now());
            const result = await (typeof statement === "string" ? connection.query(statement, params) : connection.query(statement));
            if (page && readsStartedAt.length === 7) seventhRead();
            return result as never;
          },
        };
        return runUntilCaughtUp(async () => counting, consumer, { wakeUps });
      });
      // Six held-back reads paused 10 + 20 + 40 + 80 + 160 + 320 ms; after the seventh the pause is 500 ms.
      await inLongPause;
      await sleep(50);
      expect(applied).toEqual([]);
      await blocker.end("COMMIT");
      blockerOpen = false;
      const wokenAt = Date.now();
      wakeUps.wake();
      const result = await run;
      expect(result.status).toBe("caught_up");
      expect(applied).toEqual(appended.globalSequences);
      // Timed to the start of the next read, so a slow machine's round trips do not count.
      const readAgainAfter = readsStartedAt.find((at) => at >= wokenAt)! - wokenAt;
      console.log(`read again ${readAgainAfter} ms after the wake-up, caught up ${Date.now() - wokenAt} ms after it (the poll was due ~450 ms after it)`);
      expect(readAgainAfter).toBeLessThan(200);
    } finally {
      if (blockerOpen) await blocker.end("ROLLBACK");
    }
  });
});

describe("how a consumer's batch commits", () => {
  const commitSetting = async (consumerOf: (apply: Consumer["apply"]) => Promise<{ consumer: Consumer; wanted: string }>) => {
    // The apply's statements are sent with the COMMIT and answer no rows: one keeps, in a
    // session setting that outlives the transaction, the setting it ran under.
    const { consumer, wanted } = await consumerOf(async (tx) => {
      await tx.query("SELECT set_config('test.batch_synchronous_commit', current_setting('synchronous_commit'), false)");
    });
    const appended = await appendToStream(db, "consumer-test", randomUUID(), [{ type: wanted, data: {} }], { expectedVersion: 0 });
    await headReaching(db, appended.position!);
    return withConnection(db, async (connection) => {
      await runConsumerBatch(connection, consumer);
      // SET LOCAL ends with the batch's transaction: the connection's next work waits for the flush again.
      expect((await connection.query("SELECT current_setting('synchronous_commit') AS setting")).rows[0]).toEqual({ setting: "on" });
      const { rows } = await connection.query<{ setting: string }>("SELECT current_setting('test.batch_synchronous_commit') AS setting");
      return rows.map((row) => row.setting);
    });
  };

  it("does not wait for the WAL flush when it is a read model (a lost batch goes with its checkpoint)", async () => {
    const [projection] = PROJECTIONS;
    const settings = await commitSetting((apply) => freshConsumer(apply, projectionConsumer(projection!).rederivable));
    expect(settings).toEqual(["off"]);
  });

  it("waits for the WAL flush otherwise (a saga or the publisher acts outside the database)", async () => {
    expect(await commitSetting((apply) => freshConsumer(apply))).toEqual(["on"]);
  });
});
