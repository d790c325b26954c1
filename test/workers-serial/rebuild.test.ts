import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { sendCommand } from "../../src/commands/command-bus.ts";
import { gqlData, withDb } from "../workers/support.ts";
import { caughtUp, waitForStatus } from "./support.ts";

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

  const order = async () =>
    (await m(`mutation($a: ID!, $b: ID!) { createOrder(input: { userId: "rebuild-user", items: [{ productId: $a, quantity: 2 }, { productId: $b, quantity: 1 }] }) { order { id } } }`, { a, b }))
      .createOrder.order.id as string;
  const [shipped, cancelled, failed] = [await order(), await order(), await order()];
  await send("product", { type: "reserveStock", data: { id: a, orderId: shipped, quantity: 2 } });
  await send("product", { type: "commitStock", data: { id: a, orderId: shipped, quantity: 2 } });
  await send("product", { type: "reserveStock", data: { id: b, orderId: cancelled, quantity: 1 } });
  await send("product", { type: "releaseStock", data: { id: b, orderId: cancelled } });
  await send("order", { type: "recordInventoryReserved", data: { id: shipped } });
  await send("order", { type: "recordPaymentProcessed", data: { id: shipped, paymentId: "p1", amount: 2650 } });
  await send("order", { type: "recordShipment", data: { id: shipped, trackingNumber: "T1" } });
  await send("order", { type: "confirmOrder", data: { id: shipped } });
  await m(`mutation($id: ID!) { cancelOrder(input: { id: $id, reason: "changed mind" }) { id } }`, { id: cancelled });
  await send("order", { type: "startCompensation", data: { id: failed, reason: "PAYMENT_DECLINED", failedStep: "process_payment" } });
  await send("order", { type: "failOrder", data: { id: failed, reason: "PAYMENT_DECLINED" } });
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

      const started = await gqlData(`mutation($n: String!) { rebuildProjection(input: { name: $n }) { name status } }`, { n: name });
      expect(started.rebuildProjection.name).toBe(name);
      await waitForStatus(name, caughtUp);
      rebuilding = false;
      await reader;

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
