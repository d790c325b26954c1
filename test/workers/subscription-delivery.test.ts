import { describe, expect, it } from "vitest";
import { sagaIdFor } from "../../src/sagas/order-saga-types.ts";
import { acknowledged, subscribe } from "./socket-client.ts";
import { gqlData } from "./support.ts";

// Live delivery end to end in the Worker: a mutation commits, the publisher
// pushes to every shard, the socket's shard executes its selection.

describe("eventStream over the socket", () => {
  it("delivers the selected fields of matching events only", async () => {
    const client = await acknowledged();
    // Returns once the subscribe was handled, before the mutations commit.
    await subscribe(client, "updates", { query: 'subscription { eventStream(aggregateType: "category", eventType: "category.updated") { aggregateId eventType eventData } }' });

    const created = await gqlData(`mutation { createCategory(input: { name: "Live ${crypto.randomUUID()}" }) { id } }`);
    const id: string = created.createCategory.id;
    await gqlData(`mutation { updateCategory(input: { id: "${id}", description: "live" }) { version } }`);

    // Other files' events may arrive too; the created event never matches the filter.
    for (;;) {
      const message = await client.next();
      expect(message).toMatchObject({ type: "next", id: "updates" });
      const event = (message["payload"] as { data: { eventStream: Record<string, unknown> } }).data.eventStream;
      expect(Object.keys(event).sort()).toEqual(["aggregateId", "eventData", "eventType"]);
      expect(event["eventType"]).toBe("category.updated");
      if (event["aggregateId"] === id) {
        expect(event["eventData"]).toMatchObject({ description: "live" });
        break;
      }
    }
    client.socket.close(1000, "done");
  });
});

describe("sagaUpdates over the socket", () => {
  it("follows an order's saga from started to completed, in the saga query's vocabulary", async () => {
    const client = await acknowledged("/socket");
    await subscribe(client, "sagas", { query: 'subscription { sagaUpdates(sagaType: "order_saga") { sagaId eventType status step orderId } }' });

    const { createCategory } = await gqlData(`mutation { createCategory(input: { name: "Saga updates ${crypto.randomUUID()}" }) { id } }`);
    const { createProduct } = await gqlData(
      `mutation($c: ID!) { createProduct(input: { name: "Followed", categoryId: $c, price: "4.00", stockQuantity: 5 }) { id } }`,
      { c: createCategory.id },
    );
    const { createOrder } = await gqlData(
      `mutation($p: ID!) { createOrder(input: { userId: "follower", items: [{ productId: $p, quantity: 1 }] }) { order { id } } }`,
      { p: createProduct.id },
    );
    const sagaId = sagaIdFor(createOrder.order.id);

    const updates: Record<string, unknown>[] = [];
    while (updates.at(-1)?.["status"] !== "completed") {
      const message = await client.next();
      if (message["type"] !== "next") continue;
      const update = (message["payload"] as { data: { sagaUpdates: Record<string, unknown> } }).data.sagaUpdates;
      if (update["sagaId"] === sagaId) updates.push(update);
    }
    expect(updates[0]).toEqual({ sagaId, eventType: "order_saga.started", status: "started", step: null, orderId: createOrder.order.id });
    expect(updates.filter((u) => u["eventType"] === "inventory.reserved")).toEqual([
      { sagaId, eventType: "inventory.reserved", status: null, step: "reserve_inventory", orderId: null },
    ]);
    client.socket.close(1000, "done");
  });
});
