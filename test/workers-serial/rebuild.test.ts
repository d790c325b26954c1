import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { sendCommand } from "../../src/commands/command-bus.ts";
import { connectClient } from "../../src/db/connection.ts";
import { errorCode, gql, gqlData, withDb } from "../workers/support.ts";
import { caughtUp, projectionStatus, waitForStatus } from "./support.ts";

const send = (aggregateType: string, command: { type: string; data: { id: string; [field: string]: unknown } }) =>
  sendCommand(env.AGGREGATE, { aggregateType, aggregateId: command.data.id }, command);

/** A data set with every event type the three read models handle. */
async function writeEveryEventType() {
  const m = (query: string, variables: Record<string, unknown> = {}) => gqlData(query, variables);
  const root = (await m(`mutation { createCategory(input: { name: "Rebuild root" }) { id } }`)).createCategory.id;
  const child = (await m(`mutation($p: ID!) { createCategory(input: { name: "Rebuild child", parentId: $p }) { id } }`, { p: root })).createCategory.id;
  await m(`mutation($id: ID!) { updateCategory(input: { id: $id, description: "renamed" }) { id } }`, { id: child });
  const doomed = (await m(`mutation { createCategory(input: { name: "Rebuild doomed" }) { id } }`)).createCategory.id;
  await m(`mutation($id: ID!) { deleteCategory(input: { id: $id }) { id } }`, { id: doomed });

  const product = async (price: string) =>
    (await m(`mutation($c: ID!, $price: Decimal!) { createProduct(input: { name: "Rebuilt", categoryId: $c, price: $price, stockQuantity: 50 }) { id } }`, { c: child, price }))
      .createProduct.id as string;
  const [a, b] = [await product("10.00"), await product("2.50")];
  await m(`mutation($id: ID!, $c: ID!) { updateProduct(input: { id: $id, name: "Rebuilt A", categoryId: $c }) { id } }`, { id: a, c: root });
  await m(`mutation($id: ID!) { changeProductPrice(input: { id: $id, price: "12.00" }) { id } }`, { id: a });
  await m(`mutation($id: ID!) { updateStock(input: { id: $id, quantity: 40 }) { id } }`, { id: b });

  // Every order's saga writes its events: one is confirmed, one cancelled by its user while its
  // shipping never answers, one fails for good with a refund that keeps failing (order failed).
  const order = async (userId: string) =>
    (await m(`mutation($u: String!, $a: ID!, $b: ID!) { createOrder(input: { userId: $u, items: [{ productId: $a, quantity: 2 }, { productId: $b, quantity: 1 }] }) { order { id } } }`, { u: userId, a, b }))
      .createOrder.order.id as string;
  const orders = [await order("rebuild-user"), await order("rebuild-user#arrange=TIMEOUT"), await order("rebuild-user#charge=FRAUD_DETECTED#refund=SERVICE_UNAVAILABLE")];
  await expect.poll(async () => (await gql(`query($id: ID!) { order(id: $id) { status } }`, { id: orders[1] })).data?.order?.status, { timeout: 20_000 }).toBe("payment_processed");
  await m(`mutation($id: ID!) { cancelOrder(input: { id: $id, reason: "changed mind" }) { id } }`, { id: orders[1] });
  await expect
    .poll(
      async () =>
        withDb(async (db) => (await db.query(`SELECT status FROM event_store.sagas WHERE state->>'orderId' = ANY($1::text[]) ORDER BY status`, [orders])).rows.map((r) => r.status)),
      { timeout: 60_000, interval: 200 },
    )
    .toEqual(["compensated", "completed", "failed"]);
  await send("product", { type: "deleteProduct", data: { id: b } });
}

const tables = { categories: "query.categories", products: "query.products", orders: "query.orders" } as const;

async function snapshot(table: string) {
  return withDb(async (db) => {
    const { rows } = await db.query(`SELECT * FROM ${table} ORDER BY id`);
    const indexes = await db.query(`SELECT indexname FROM pg_indexes WHERE schemaname || '.' || tablename = $1 ORDER BY 1`, [table]);
    return { rows: JSON.stringify(rows), count: rows.length, indexes: indexes.rows.map((r) => r.indexname) };
  });
}

describe("rebuildProjection", () => {
  it("rebuilds each read model into a fresh table with the same rows, while readers keep seeing the full table", async () => {
    await writeEveryEventType();
    for (const [name, table] of Object.entries(tables)) {
      await waitForStatus(name, caughtUp);
      const before = await snapshot(table);
      expect(before.count).toBeGreaterThan(0);

      // A reader polling during the rebuild must always see the whole table.
      let rebuilding = true;
      const seen: number[] = [];
      const reader = (async () => {
        while (rebuilding) {
          seen.push(await withDb(async (db) => Number((await db.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n)));
        }
      })();

      // The ReaderDOs' warm connections hold prepared list queries: they must follow the swap.
      const lists = () =>
        Promise.all(Array.from({ length: 8 }, () => gqlData(`{ categories(limit: 100, includeDeleted: true) { id children { id } } products(limit: 100, includeDeleted: true) { id category { id } } }`)));
      const listed = await lists();

      const started = await gqlData(`mutation($n: String!) { rebuildProjection(input: { name: $n }) { name status } }`, { n: name });
      expect(started.rebuildProjection.name).toBe(name);
      await waitForStatus(name, caughtUp);
      rebuilding = false;
      await reader;
      expect(await lists()).toEqual(listed);

      const after = await snapshot(table);
      expect(after.rows, `${name} rows after rebuild`).toBe(before.rows);
      expect(after.indexes).toEqual(before.indexes);
      expect(seen.length).toBeGreaterThan(0);
      expect(seen.every((n) => n === before.count), `reader saw ${[...new Set(seen)].join(",")}`).toBe(true);
      const leftovers = await withDb(async (db) => (await db.query("SELECT to_regclass($1) AS t", [`${table}__rebuild`])).rows[0].t);
      expect(leftovers).toBeNull();
    }
  });
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const rebuild = (name: string) => gql(`mutation($n: String!) { rebuildProjection(input: { name: $n }) { name status } }`, { n: name });

/** The read model's version of each category against its stream's, for the ids given. */
async function readVersions(ids: string[]) {
  return withDb(async (db) => {
    const { rows } = await db.query(
      `SELECT s.stream_id::text AS id, s.version AS stream, q.version AS read, q.name FROM event_store.streams s
       LEFT JOIN query.categories q ON q.id = s.stream_id WHERE s.stream_id = ANY($1::uuid[]) ORDER BY 1`,
      [ids],
    );
    return rows;
  });
}

describe("rebuildProjection under concurrent use", () => {
  it("applies events written while the swap waits, in the swap's own catch-up", async () => {
    // The live projection must have a checkpoint row to hold.
    const warm = await gqlData(`mutation { createCategory(input: { name: "Before the rebuild" }) { id } }`);
    await gqlData(`query($id: ID!, $p: String) { category(id: $id, minPosition: $p) { name } }`, { id: warm.createCategory.id, p: warm.position });
    // Stopped, the live projector applies nothing: whatever the new table holds after the swap came from the rebuild.
    await gqlData(`mutation { stopProjection(input: { name: "categories" }) { status } }`);
    // Hold the live checkpoint: the swap queues behind it, after the rebuild itself has caught up.
    const holder = await connectClient({ url: env.DATABASE_URL, proxy: env.DB_PROXY });
    const ids: string[] = [];
    try {
      await holder.query("BEGIN");
      await holder.query("SELECT 1 FROM query.checkpoints WHERE consumer = 'categories' FOR UPDATE");
      expect(errorCode(await rebuild("categories"))).toBeUndefined();
      const deadline = Date.now() + 30_000;
      for (;;) {
        await holder.query("SELECT pg_stat_clear_snapshot()");
        const { rows } = await holder.query(
          `SELECT 1 FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND wait_event_type = 'Lock' AND query ILIKE '%query.checkpoints%FOR UPDATE%'`,
        );
        if (rows.length > 0) break;
        if (Date.now() > deadline) throw new Error("the swap never queued for the live checkpoint");
        await sleep(20);
      }
      for (let i = 0; i < 3; i++) {
        ids.push((await gqlData(`mutation($n: String!) { createCategory(input: { name: $n }) { id } }`, { n: `During rebuild ${i}` })).createCategory.id);
      }
      await gqlData(`mutation($id: ID!) { updateCategory(input: { id: $id, name: "Renamed during rebuild" }) { id } }`, { id: ids[0] });
    } finally {
      await holder.query("COMMIT").catch(() => undefined);
      await holder.end();
    }
    const swapped = await waitForStatus("categories", (status) => !status.rebuild);
    expect(swapped).toMatchObject({ status: "stopped", eventsBehind: 0 });
    const rows = await readVersions(ids);
    expect(rows).toHaveLength(3);
    for (const row of rows) expect(row, row.id).toMatchObject({ read: row.stream });
    expect(rows.find((row) => row.id === ids[0]).name).toBe("Renamed during rebuild");

    await gqlData(`mutation { resumeProjection(input: { name: "categories" }) { status } }`);
    await waitForStatus("categories", caughtUp);
  });

  it("two rebuilds at once: one runs, the other is refused with REBUILD_IN_PROGRESS", async () => {
    await waitForStatus("products", caughtUp);
    const before = await snapshot("query.products");
    const answers = await Promise.all([rebuild("products"), rebuild("products")]);
    const codes = answers.map((answer) => errorCode(answer) ?? "ok").sort();
    expect(codes).toEqual(["REBUILD_IN_PROGRESS", "ok"]);
    await waitForStatus("products", caughtUp);
    expect((await snapshot("query.products")).rows).toBe(before.rows);
  });

  it("a stopped projection stays stopped through a rebuild, and so does one stopped during it", async () => {
    await waitForStatus("orders", caughtUp);
    await gqlData(`mutation { stopProjection(input: { name: "orders" }) { status } }`);
    expect(errorCode(await rebuild("orders"))).toBeUndefined();
    const rebuilt = await waitForStatus("orders", (status) => !status.rebuild);
    expect(rebuilt.status).toBe("stopped");

    await gqlData(`mutation { resumeProjection(input: { name: "orders" }) { status } }`);
    expect(errorCode(await rebuild("orders"))).toBeUndefined();
    await gqlData(`mutation { stopProjection(input: { name: "orders" }) { status } }`);
    expect((await waitForStatus("orders", (status) => !status.rebuild)).status).toBe("stopped");
    await gqlData(`mutation { resumeProjection(input: { name: "orders" }) { status } }`);
    await waitForStatus("orders", caughtUp);
    expect((await projectionStatus("orders")).status).toBe("running");
  });
});
