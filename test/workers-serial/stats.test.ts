import { describe, expect, it } from "vitest";
import { decodePosition } from "../../src/event-store/index.ts";
import { gqlData, withDb } from "../workers/support.ts";
import { caughtUp, waitForStatus } from "./support.ts";

const SYSTEM = `{ systemStatistics { eventStore { totalRecords } commandDb { totalRecords } queryDb { categories products orders }
  sagas { active completed failed } position } }`;
const EVENT_STORE = "{ eventStoreStats { totalEvents eventsByType { eventType count } latestSequence position } }";

/** The same figures, counted directly in the tables. */
async function countedDirectly() {
  return withDb(async (db) => {
    const { rows } = await db.query<Record<string, number>>(
      `SELECT (SELECT count(*) FROM event_store.events)::int AS events,
              (SELECT count(*) FROM command.categories)::int + (SELECT count(*) FROM command.products)::int AS command,
              (SELECT count(*) FROM query.categories)::int AS categories, (SELECT count(*) FROM query.products)::int AS products,
              (SELECT count(*) FROM query.orders)::int AS orders,
              (SELECT count(*) FROM event_store.sagas WHERE status IN ('started', 'compensating'))::int AS active,
              (SELECT count(*) FROM event_store.sagas WHERE status = 'completed')::int AS completed,
              (SELECT count(*) FROM event_store.sagas WHERE status IN ('failed', 'compensated'))::int AS failed`,
    );
    return rows[0]!;
  });
}

async function fromStats() {
  const { systemStatistics: s } = await gqlData(SYSTEM);
  return {
    events: s.eventStore.totalRecords, command: s.commandDb.totalRecords, ...s.queryDb, ...s.sagas,
  } as Record<string, number>;
}

type Pair = { stats: Record<string, number>; direct: Record<string, number> };

/**
 * Both sides once nothing moves any more (every consumer caught up, the same
 * counts twice in a row) and `done` holds. Sagas that earlier test files
 * left running may still move: the counts must agree all the same.
 */
async function settledPair(done: (pair: Pair) => boolean = () => true): Promise<Pair> {
  let last = "";
  for (const deadline = Date.now() + 60_000; Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 200))) {
    for (const name of ["stats", "categories", "products", "orders"]) await waitForStatus(name, caughtUp);
    const pair = { stats: await fromStats(), direct: await countedDirectly() };
    if (JSON.stringify(pair) === last && done(pair)) return pair;
    last = JSON.stringify(pair);
  }
  throw new Error(`counts never settled: ${last}`);
}

async function mixedWorkload() {
  const category = (await gqlData(`mutation { createCategory(input: { name: "Stats" }) { id } }`)).createCategory.id;
  const child = (await gqlData(`mutation($p: ID!) { createCategory(input: { name: "Stats child", parentId: $p }) { id } }`, { p: category })).createCategory.id;
  const product = async (name: string) =>
    (await gqlData(`mutation($c: ID!, $n: String!) { createProduct(input: { name: $n, categoryId: $c, price: "3.00", stockQuantity: 50 }) { id } }`, { c: child, n: name }))
      .createProduct.id as string;
  const [a, b, c] = [await product("A"), await product("B"), await product("C")];
  await gqlData(`mutation($id: ID!) { changeProductPrice(input: { id: $id, price: "4.00" }) { id } }`, { id: a });
  await gqlData(`mutation($id: ID!) { deleteProduct(input: { id: $id }) { id } }`, { id: c });
  const order = `mutation($u: String!, $p: ID!) { createOrder(input: { userId: $u, items: [{ productId: $p, quantity: 2 }] }) { success } }`;
  await gqlData(order, { u: `stats-${crypto.randomUUID()}`, p: a });
  await gqlData(order, { u: `stats-${crypto.randomUUID()}#charge=FRAUD_DETECTED`, p: b });
  await gqlData(order, { u: `stats-${crypto.randomUUID()}`, p: b });
}

describe("the stats read model", () => {
  it("counts what the tables hold after a mixed workload, as of the position it reports", async () => {
    const before = await settledPair();
    await mixedWorkload();
    // Done when the three sagas of the workload have ended.
    const after = await settledPair((pair) => pair.direct.completed! + pair.direct.failed! >= before.direct.completed! + before.direct.failed! + 3);

    // Counts of events are exact as of the stats position; compare the whole log up to it.
    const { eventStoreStats } = await gqlData(EVENT_STORE);
    const position = decodePosition(eventStoreStats.position);
    const direct = await withDb(async (db) => {
      const { rows } = await db.query<{ event_type: string; count: number; latest: string }>(
        `SELECT event_type, count(*)::int AS count, max(global_sequence)::text AS latest FROM event_store.events
         WHERE (transaction_id, global_sequence) <= ($1::xid8, $2) GROUP BY event_type ORDER BY event_type`,
        [position.transactionId, position.globalSequence],
      );
      return rows;
    });
    expect(eventStoreStats.eventsByType).toEqual(direct.map((row) => ({ eventType: row.event_type, count: row.count })));
    expect(eventStoreStats.totalEvents).toBe(direct.reduce((sum, row) => sum + row.count, 0));
    expect(eventStoreStats.latestSequence).toBe(String(Math.max(...direct.map((row) => Number(row.latest)))));
    expect(eventStoreStats.totalEvents).toBe(after.direct.events);

    // Table counts: earlier test files leave rows no command made (poison events appended
    // by hand), so compare what the workload changed, figure by figure.
    const delta = (side: "stats" | "direct") => Object.fromEntries(Object.entries(after[side]).map(([key, n]) => [key, n - before[side][key]!]));
    expect(delta("stats")).toEqual(delta("direct"));
    expect(delta("direct")).toMatchObject({ command: 5, categories: 2, products: 3, orders: 3 });
    expect(after.stats.completed).toBe(after.direct.completed);
    expect(after.stats.failed).toBe(after.direct.failed);
    expect(after.stats.active).toBe(after.direct.active);
  });

  it("projectionStatus counts the events each consumer is behind without scanning the log", async () => {
    const { projectionStatus } = await gqlData("{ projectionStatus { name processedCount eventsBehind position } }");
    for (const status of projectionStatus as { name: string; processedCount: number; eventsBehind: number; position: string | null }[]) {
      const behind = await withDb(async (db) => {
        const at = status.position ? decodePosition(status.position) : { transactionId: "0", globalSequence: 0 };
        const { rows } = await db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM event_store.events WHERE (transaction_id, global_sequence) > ($1::xid8, $2)
             AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())`,
          [at.transactionId, at.globalSequence],
        );
        return rows[0]!.n;
      });
      expect({ name: status.name, eventsBehind: status.eventsBehind }).toEqual({ name: status.name, eventsBehind: behind });
    }
  });

  it("rebuildProjection(stats) counts the log again from the start", async () => {
    const before = (await gqlData(EVENT_STORE)).eventStoreStats;
    await gqlData(`mutation { rebuildProjection(input: { name: "stats" }) { name } }`);
    await waitForStatus("stats", caughtUp);
    const after = (await gqlData(EVENT_STORE)).eventStoreStats;
    expect(after.totalEvents).toBeGreaterThanOrEqual(before.totalEvents);
    const total = await withDb(async (db) => (await db.query<{ n: number }>("SELECT count(*)::int AS n FROM event_store.events")).rows[0]!.n);
    expect(after.totalEvents).toBe(total);
  });
});
