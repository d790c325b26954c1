import { evictDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { connectClient } from "../../src/db/connection.ts";
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

/**
 * Evicts the saga's Durable Object while it waits to retry shipping; the
 * time the eviction ended, or null when every wait was over before it did.
 * Polls on one connection: a connect per poll ate most of a 100 ms wait.
 */
async function evictDuringRetryWait(sagaId: string): Promise<number | null> {
  const db = await connectClient({ url: env.DATABASE_URL, proxy: env.DB_PROXY });
  try {
    let seenAttempt = 0;
    for (const deadline = Date.now() + 20_000; Date.now() < deadline; ) {
      const { rows } = await db.query("SELECT state FROM event_store.sagas WHERE saga_id = $1", [sagaId]);
      const state = rows[0]?.state;
      if (state && state.status !== "started") return null;
      if (state?.phase === "waiting" && state.currentStep === "arrange_shipping" && state.attempt > seenAttempt) {
        seenAttempt = state.attempt;
        // An object the runtime already put away (no timer or request kept it) counts as evicted.
        await evictDurableObject(env.SAGA.getByName(sagaId)).catch((error: Error) => {
          if (!/not currently running/.test(error.message)) throw error;
        });
        const evictedAt = Date.now();
        if (evictedAt < state.retryAt) return evictedAt;
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    return null;
  } finally {
    await db.end();
  }
}

async function productStock(id: string) {
  return withDb(async (db) => (await db.query("SELECT stock_quantity, reserved_quantity FROM command.products WHERE id = $1", [id])).rows[0]);
}

describe("order saga: createOrder over GraphQL, the saga manager starts it", () => {
  it("takes an order to confirmed and commits the stock exactly", async () => {
    const productId = await catalog(10);
    const created = await order(productId, 3);
    const sagaId = sagaIdFor(created.id);
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
    const { order: read } = await gqlData(`query($id: ID!) { order(id: $id) { status sagaId sagaStatus sagaCurrentStep } }`, { id: created.id });
    await expect
      .poll(async () => (await gqlData(`query($id: ID!) { order(id: $id) { status sagaId sagaStatus sagaCurrentStep } }`, { id: created.id })).order, { timeout: 10_000 })
      .toEqual({ status: "confirmed", sagaId, sagaStatus: "completed", sagaCurrentStep: null });
    expect(read.sagaId === null || read.sagaId === sagaId).toBe(true);
    const { sagas } = await gqlData(`{ sagas(status: "completed", sagaType: "order_saga", limit: 100) { id } }`);
    expect(sagas.map((s: { id: string }) => s.id)).toContain(sagaId);
  });

  it("a declined payment releases the stock and cancels the order", async () => {
    const productId = await catalog(10);
    const userId = "bob#charge=INSUFFICIENT_FUNDS";
    const created = await order(productId, 4, userId);
    const sagaId = sagaIdFor(created.id);
    const row = await settled(sagaId);
    expect(row.status).toBe("compensated");
    expect(row.state.failure).toMatchObject({ step: "process_payment", code: "INSUFFICIENT_FUNDS" });
    expect(await productStock(productId)).toEqual({ stock_quantity: 10, reserved_quantity: 0 });
    const status = await withDb(async (db) => (await db.query("SELECT event_type FROM event_store.events WHERE aggregate_id = $1 ORDER BY event_version", [created.id])).rows.map((r) => r.event_type));
    expect(status).toEqual(["order.created", "order.item_reserved", "order.compensation_started", "order.cancelled"]);
  });

  it("a SagaDO evicted while a step waits for its retry resumes on its alarm, with nothing reserved, charged or shipped twice", async () => {
    // An eviction that ends after the retry was due proves nothing (the old
    // instance may have run it): try the next wait, or another order.
    let landed: { productId: string; created: { id: string }; sagaId: string; evictedAt: number } | undefined;
    for (let tries = 0; !landed && tries < 3; tries++) {
      const productId = await catalog(5);
      // Shipping fails three times: the saga waits 100, 200 and 300 ms between tries.
      const created = await order(productId, 2, "eve#arrange=SERVICE_UNAVAILABLE*3");
      const sagaId = sagaIdFor(created.id);
      const evictedAt = await evictDuringRetryWait(sagaId);
      if (evictedAt !== null) landed = { productId, created, sagaId, evictedAt };
      else await settled(sagaId);
    }
    expect(landed, "no eviction ended before the retry it interrupted was due, in 3 orders").toBeDefined();
    const { productId, created, sagaId, evictedAt } = landed!;

    const row = await settled(sagaId);
    expect(row.status).toBe("completed");
    const shipping = row.state.history.filter((h: any) => h.step === "arrange_shipping").map((h: any) => h.outcome);
    expect(shipping).toEqual(["failed", "failed", "failed", "succeeded"]);
    // Whatever ran after the eviction ran in a new instance, woken by the alarm alone.
    expect(row.state.history.at(-1).startedAt).toBeGreaterThan(evictedAt);
    const events = await withDb(async (db) =>
      (await db.query("SELECT event_type FROM event_store.events WHERE aggregate_id = ANY($1::uuid[]) ORDER BY global_sequence", [[created.id, productId]])).rows.map((r) => r.event_type),
    );
    expect(events.filter((t) => t === "product.stock_reserved")).toHaveLength(1);
    expect(events.filter((t) => t === "product.stock_committed")).toHaveLength(1);
    expect(events.filter((t) => t.startsWith("order."))).toEqual(["order.created", "order.item_reserved", "order.payment_processed", "order.shipped", "order.confirmed"]);
    expect(await productStock(productId)).toEqual({ stock_quantity: 3, reserved_quantity: 0 });
  });

  it("a provider that never answers is given up on at the step's deadline and retried", async () => {
    const productId = await catalog(5);
    const userId = "tim#charge=TIMEOUT*1";
    const created = await order(productId, 1, userId);
    const sagaId = sagaIdFor(created.id);
    const row = await settled(sagaId);
    expect(row.status).toBe("completed");
    const payment = row.state.history.filter((h: any) => h.step === "process_payment");
    expect(payment.map((h: any) => h.outcome)).toEqual(["timed_out", "succeeded"]);
  });

  it("two orders racing for the last unit: one is confirmed, the other compensated, and the stock is exact", async () => {
    const productId = await catalog(1);
    const [a, b] = await Promise.all([order(productId, 1), order(productId, 1)]);
    const sagas = [a!, b!].map((o) => ({ order: o, sagaId: sagaIdFor(o.id) }));
    const rows = await Promise.all(sagas.map(({ sagaId }) => settled(sagaId)));
    expect(rows.map((r) => r.status).sort()).toEqual(["compensated", "completed"]);
    expect(rows.find((r) => r.status === "compensated").state.failure).toMatchObject({ step: "reserve_inventory", code: "INSUFFICIENT_STOCK" });
    expect(await productStock(productId)).toEqual({ stock_quantity: 0, reserved_quantity: 0 });
  });

  it("a user's cancel while the saga waits to retry the payment undoes the reservation", async () => {
    const productId = await catalog(5);
    const userId = "carl#charge=SERVICE_UNAVAILABLE*3";
    const created = await order(productId, 2, userId);
    const sagaId = sagaIdFor(created.id);
    await expect.poll(async () => (await sagaRow(sagaId))?.current_step, { timeout: 10_000, interval: 20 }).toBe("process_payment");
    await gqlData(`mutation($id: ID!) { cancelOrder(input: { id: $id, reason: "changed my mind" }) { status } }`, { id: created.id });
    const row = await settled(sagaId);
    expect(row.status).toBe("compensated");
    expect(row.state.failure).toMatchObject({ code: "ORDER_CANCELLED", message: "changed my mind" });
    expect(await productStock(productId)).toEqual({ stock_quantity: 5, reserved_quantity: 0 });
  });
});
