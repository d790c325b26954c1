import { describe, expect, it } from "vitest";
import { appendToStream, comparePositions, decodePosition } from "../../src/event-store/index.ts";
import { errorCode, gql, gqlData, withDb } from "./support.ts";

async function newCategory(name = "History") {
  return (await gqlData(`mutation($name: String!) { createCategory(input: { name: $name }) { id } }`, { name })).createCategory.id as string;
}

async function newProduct(categoryId: string) {
  return (
    await gqlData(`mutation($c: ID!) { createProduct(input: { name: "Kettle", categoryId: $c, price: "30.00", stockQuantity: 4 }) { id } }`, {
      c: categoryId,
    })
  ).createProduct.id as string;
}

const changePrice = (id: string, price: string) =>
  gqlData(`mutation($id: ID!, $price: Decimal!) { changeProductPrice(input: { id: $id, price: $price }) { version } }`, { id, price });

describe("audit trail and point-in-time state", () => {
  it("aggregateHistory lists an aggregate's events in version order with metadata", async () => {
    const id = await newProduct(await newCategory());
    await changePrice(id, "35.00");
    const { aggregateHistory } = await gqlData(
      `query($id: ID!) { aggregateHistory(aggregateType: "product", id: $id) { eventType version eventData metadata schemaVersion position occurredAt } }`,
      { id },
    );
    expect(aggregateHistory.map((e: { eventType: string; version: number }) => [e.eventType, e.version])).toEqual([
      ["product.created", 1],
      ["product.price_changed", 2],
    ]);
    expect(aggregateHistory[0].eventData).toMatchObject({ priceAmount: 3000, stockQuantity: 4 });
    expect(aggregateHistory[0].schemaVersion).toBe(2);
    expect(aggregateHistory[1].metadata.commandId).toBeTruthy();
    const page = await gqlData(`query($id: ID!) { aggregateHistory(aggregateType: "product", id: $id, limit: 1, offset: 1) { version } }`, { id });
    expect(page.aggregateHistory).toEqual([{ version: 2 }]);
  });

  it("aggregateState rebuilds the product as of a version and as of a time", async () => {
    const id = await newProduct(await newCategory());
    await changePrice(id, "31.00");
    const { aggregateHistory } = await gqlData(`query($id: ID!) { aggregateHistory(aggregateType: "product", id: $id) { occurredAt } }`, { id });
    await new Promise((resolve) => setTimeout(resolve, 20));
    await changePrice(id, "32.00");
    const state = (args: string) =>
      gqlData(`query($id: ID!) { aggregateState(aggregateType: "product", id: $id, ${args}) { version state asOf } }`, { id });
    expect((await state("version: 1")).aggregateState).toMatchObject({ version: 1, state: { price: "30.00" } });
    expect((await state("version: 2")).aggregateState).toMatchObject({ version: 2, state: { price: "31.00" } });
    expect((await state(`at: "${aggregateHistory[1].occurredAt}"`)).aggregateState).toMatchObject({ version: 2, state: { price: "31.00" } });
    expect((await state(`at: "2000-01-01T00:00:00Z"`)).aggregateState).toEqual({ version: 0, state: null, asOf: null });
    const latest = await gqlData(`query($id: ID!) { aggregateState(aggregateType: "product", id: $id) { version state } }`, { id });
    expect(latest.aggregateState).toMatchObject({ version: 3, state: { price: "32.00", stockQuantity: 4 } });
  });

  it("aggregateState rejects unknown types and bad times", async () => {
    const id = "0190a000-0000-7000-8000-000000000abc";
    expect(errorCode(await gql(`{ aggregateState(aggregateType: "spaceship", id: "${id}") { version } }`))).toBe("VALIDATION_ERROR");
    expect(errorCode(await gql(`{ aggregateState(aggregateType: "product", id: "${id}", at: "yesterday") { version } }`))).toBe("VALIDATION_ERROR");
  });

  it("events filters the log; recentEvents is newest first", async () => {
    const categoryId = await newCategory("Filter me");
    const { events } = await gqlData(`query($id: ID!) { events(aggregateId: $id) { aggregateId eventType aggregateType } }`, { id: categoryId });
    expect(events).toEqual([{ aggregateId: categoryId, eventType: "category.created", aggregateType: "category" }]);
    const byType = await gqlData(`{ events(eventType: "category.created", limit: 5) { eventType } }`);
    expect(byType.events.every((e: { eventType: string }) => e.eventType === "category.created")).toBe(true);
    // Newest first in the log's order, (transaction id, sequence): the position.
    const { recentEvents } = await gqlData(`{ recentEvents(limit: 5) { position } }`);
    const positions = recentEvents.map((e: { position: string }) => decodePosition(e.position));
    expect(positions).toHaveLength(5);
    expect(positions).toEqual([...positions].sort((a, b) => comparePositions(b, a)));
  });
});

describe("events: the global log", () => {
  it("pages by cursor return every event once, in log order, even when sequence and commit order disagree", async () => {
    const eventType = `test.cursor_${crypto.randomUUID().slice(0, 8)}`;
    const note = (db: Parameters<Parameters<typeof withDb>[0]>[0], n: number) =>
      appendToStream(db, "test", crypto.randomUUID(), [{ type: eventType, data: { n } }]);
    await withDb((early) =>
      withDb(async (late) => {
        // `early` takes its transaction id first but appends last: its event has the
        // larger sequence number and comes first in the log.
        await early.query("BEGIN");
        await early.query("SELECT pg_current_xact_id()");
        await note(late, 1);
        await note(late, 2);
        await note(early, 3);
        await early.query("COMMIT");
        await note(late, 4);
        await note(late, 5);
      }),
    );
    const seen: { position: string; globalSequence: string; eventData: { n: number } }[] = [];
    let after: string | null = null;
    for (let round = 0; round < 10; round++) {
      const page: { events: typeof seen } = await gqlData(
        `query($t: String, $after: String) { events(eventType: $t, limit: 2, after: $after) { position globalSequence eventData } }`,
        { t: eventType, after },
      );
      if (page.events.length === 0) break;
      seen.push(...page.events);
      after = page.events.at(-1)!.position;
    }
    expect(seen.map((e) => e.eventData.n)).toEqual([3, 1, 2, 4, 5]);
    expect(Number(seen[0]!.globalSequence)).toBeGreaterThan(Number(seen[1]!.globalSequence));
  });

  it("refuses a cursor that is not a log position", async () => {
    expect(errorCode(await gql(`{ events(after: "12") { id } }`))).toBe("VALIDATION_ERROR");
  });
});

describe("upcasting old events", () => {
  it("a product.created written in the v1 shape reads as v2 everywhere: history, state and the read model", async () => {
    const categoryId = await newCategory("Legacy");
    const id = crypto.randomUUID();
    await withDb(async (db) => {
      // As the original system wrote it: a float price and `stock`.
      await appendToStream(db, "product", id, [
        { type: "product.created", data: { id, name: "Legacy lamp", categoryId, price: 19.99, stock: 7 }, schemaVersion: 1 },
      ]);
    });
    const history = await gqlData(`query($id: ID!) { aggregateHistory(aggregateType: "product", id: $id) { eventData schemaVersion } }`, { id });
    expect(history.aggregateHistory).toEqual([
      { eventData: { id, name: "Legacy lamp", description: null, categoryId, priceAmount: 1999, stockQuantity: 7 }, schemaVersion: 2 },
    ]);
    const state = await gqlData(`query($id: ID!) { aggregateState(aggregateType: "product", id: $id) { state } }`, { id });
    expect(state.aggregateState.state).toMatchObject({ price: "19.99", stockQuantity: 7 });
    // The AggregateDO loads it through the same upcaster and can act on it.
    const changed = await gqlData(`mutation($id: ID!) { changeProductPrice(input: { id: $id, price: "21.00" }) { version price stockQuantity } }`, { id });
    expect(changed.changeProductPrice).toEqual({ version: 2, price: "21.00", stockQuantity: 7 });
    const read = await gqlData(`query($id: ID!, $p: String) { product(id: $id, minPosition: $p) { price stockQuantity name } }`, {
      id,
      p: changed.position,
    });
    expect(read.product).toEqual({ price: "21.00", stockQuantity: 7, name: "Legacy lamp" });
    const stored = await withDb(async (db) => (await db.query("SELECT event_data, schema_version FROM event_store.events WHERE aggregate_id = $1 AND event_version = 1", [id])).rows[0]);
    expect(stored).toMatchObject({ schema_version: 1, event_data: { price: 19.99, stock: 7 } });
  });
});

describe("systemStatistics", () => {
  it("has the seed's shape and counts real rows", async () => {
    await newCategory("Counted");
    // Sagas of other test files run meanwhile: their counts only grow (completed) or move on (active).
    const sagaCounts = () =>
      withDb(async (db) => (await db.query(`SELECT count(*)::int AS total, (count(*) FILTER (WHERE status = 'completed'))::int AS completed FROM event_store.sagas`)).rows[0]);
    const sagasBefore = await sagaCounts();
    const { systemStatistics } = await gqlData(`{ systemStatistics {
      eventStore { totalRecords } commandDb { totalRecords } queryDb { categories products orders } sagas { active completed failed } } }`);
    const truth = await withDb(async (db) =>
      (
        await db.query(
          `SELECT (SELECT count(*) FROM event_store.events)::int AS events,
                  (SELECT count(*) FROM command.categories)::int + (SELECT count(*) FROM command.products)::int AS command`,
        )
      ).rows[0],
    );
    expect(systemStatistics.eventStore.totalRecords).toBeGreaterThan(0);
    expect(systemStatistics.eventStore.totalRecords).toBeLessThanOrEqual(truth.events);
    expect(systemStatistics.commandDb.totalRecords).toBeLessThanOrEqual(truth.command);
    expect(systemStatistics.commandDb.totalRecords).toBeGreaterThan(0);
    const sagasAfter = await sagaCounts();
    const { active, completed, failed } = systemStatistics.sagas;
    expect(active + completed + failed).toBeGreaterThanOrEqual(sagasBefore.total);
    expect(active + completed + failed).toBeLessThanOrEqual(sagasAfter.total);
    expect(completed).toBeGreaterThanOrEqual(sagasBefore.completed);
    expect(completed).toBeLessThanOrEqual(sagasAfter.completed);
  });
});
