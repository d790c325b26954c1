import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { sagaIdFor } from "../../src/sagas/order-saga-types.ts";
import { gqlData, withDb } from "./support.ts";

async function catalog(stock: number) {
  const { createCategory } = await gqlData(`mutation { createCategory(input: { name: "Saga shop" }) { id } }`);
  const { createProduct } = await gqlData(
    `mutation($c: ID!, $s: Int!) { createProduct(input: { name: "Widget", categoryId: $c, price: "10.00", stockQuantity: $s }) { id } }`,
    { c: createCategory.id, s: stock },
  );
  return createProduct.id as string;
}

async function order(productId: string, quantity: number, userId = "saga-user") {
  const { createOrder } = await gqlData(
    `mutation($u: String!, $p: ID!, $q: Int!) { createOrder(input: { userId: $u, items: [{ productId: $p, quantity: $q }] }) { success order { id totalAmount } } }`,
    { u: userId, p: productId, q: quantity },
  );
  return createOrder.order as { id: string; totalAmount: string };
}

async function sagaRow(sagaId: string) {
  return withDb(async (db) => (await db.query("SELECT status, current_step, state FROM event_store.sagas WHERE saga_id = $1", [sagaId])).rows[0]);
}

async function settled(sagaId: string) {
  let row: any;
  await expect
    .poll(async () => (row = await sagaRow(sagaId))?.status, { timeout: 20_000, interval: 100 })
    .toMatch(/^(completed|compensated|failed)$/);
  return row;
}

async function productStock(id: string) {
  return withDb(async (db) => (await db.query("SELECT stock_quantity, reserved_quantity FROM command.products WHERE id = $1", [id])).rows[0]);
}

describe("order saga (started directly)", () => {
  it("takes an order to confirmed and commits the stock exactly", async () => {
    const productId = await catalog(10);
    const created = await order(productId, 3);
    const sagaId = sagaIdFor(created.id);
    await env.SAGA.getByName(sagaId).start(sagaId, { orderId: created.id, userId: "saga-user", items: [{ productId, quantity: 3 }], totalAmount: 3000 });
    const row = await settled(sagaId);
    expect(row.status).toBe("completed");
    expect(row.state.history.map((h: any) => [h.step, h.outcome])).toEqual([
      ["reserve_inventory", "succeeded"],
      ["process_payment", "succeeded"],
      ["arrange_shipping", "succeeded"],
      ["confirm_order", "succeeded"],
    ]);
    expect(await productStock(productId)).toEqual({ stock_quantity: 7, reserved_quantity: 0 });

    const { saga } = await gqlData(`query($id: ID!) { saga(id: $id) { status orderId currentStep dueAt paymentId trackingNumber steps { step attempt outcome } } }`, { id: sagaId });
    expect(saga).toMatchObject({ status: "completed", orderId: created.id, currentStep: null, dueAt: null });
    expect(saga.paymentId).toMatch(/^pay_/);
    expect(saga.trackingNumber).toMatch(/^TRK/);
    expect(saga.steps).toHaveLength(4);
    const { sagas } = await gqlData(`{ sagas(status: "completed", sagaType: "order_saga", limit: 100) { id } }`);
    expect(sagas.map((s: { id: string }) => s.id)).toContain(sagaId);
  });

  it("a declined payment releases the stock and cancels the order", async () => {
    const productId = await catalog(10);
    const userId = "bob#charge=INSUFFICIENT_FUNDS";
    const created = await order(productId, 4, userId);
    const sagaId = sagaIdFor(created.id);
    await env.SAGA.getByName(sagaId).start(sagaId, { orderId: created.id, userId, items: [{ productId, quantity: 4 }], totalAmount: 4000 });
    const row = await settled(sagaId);
    expect(row.status).toBe("compensated");
    expect(row.state.failure).toMatchObject({ step: "process_payment", code: "INSUFFICIENT_FUNDS" });
    expect(await productStock(productId)).toEqual({ stock_quantity: 10, reserved_quantity: 0 });
    const status = await withDb(async (db) => (await db.query("SELECT event_type FROM event_store.events WHERE aggregate_id = $1 ORDER BY event_version", [created.id])).rows.map((r) => r.event_type));
    expect(status).toEqual(["order.created", "order.item_reserved", "order.compensation_started", "order.cancelled"]);
  });
});
