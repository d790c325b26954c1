// What keeps a read model's lag short without loosening its guarantees: a
// wake-up ends a held-back pause at once (the blocker is usually an append
// whose commit wakes the consumer).
import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { appendToStream, type Queryable } from "../../src/event-store/index.ts";
import type { Consumer } from "../../src/consumers/consumer.ts";
import { advanceCheckpoint } from "../../src/consumers/page.ts";
import { WakeUps, runUntilCaughtUp } from "../../src/consumers/runner.ts";
import { START } from "../../src/event-store/position.ts";
import { testPool } from "../support/database.ts";
import { headPosition, openTransaction, withConnection } from "./support.ts";

const db = testPool(4);
afterAll(() => db.end());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function freshConsumer(apply: Consumer["apply"]): Promise<{ consumer: Consumer; wanted: string }> {
  const tag = randomUUID().slice(0, 8);
  const consumer: Consumer = { name: `test-latency-${tag}`, eventTypes: [`wanted-${tag}`], apply };
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
      let reads = 0;
      let seventhRead: () => void;
      const inLongPause = new Promise<void>((resolve) => (seventhRead = resolve));
      const run = withConnection(db, (connection) => {
        const counting: Queryable = {
          query: async (text, params) => {
            const result = await connection.query(text, params);
            if (text.startsWith("WITH bound") && ++reads === 7) seventhRead();
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
      const committedAt = Date.now();
      wakeUps.wake();
      const result = await run;
      const waited = Date.now() - committedAt;
      console.log(`caught up ${waited} ms after the blocker committed (a poll would have come ~450 ms later)`);
      expect(result.status).toBe("caught_up");
      expect(applied).toEqual(appended.globalSequences);
      expect(waited).toBeLessThan(250);
    } finally {
      if (blockerOpen) await blocker.end("ROLLBACK");
    }
  });
});
