// An order's AggregateDO is used once: the handler lets go of its connection
// as soon as the order is closed (confirmed, cancelled, failed) instead of
// holding it for the idle time, and still serves a late command. The
// handler runs here as in the AggregateDO, on a real Postgres connection;
// only the close is counted.
import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { AggregateCommandHandler, type HandlerConnection } from "../../src/commands/aggregate-handler.ts";
import { aggregateDefinition } from "../../src/commands/aggregates.ts";
import type { CommandOutcome } from "../../src/commands/envelope.ts";
import type { DomainCommand } from "../../src/domain/shared/decider.ts";
import type { Queryable } from "../../src/event-store/index.ts";
import { testPool } from "../support/database.ts";

const db = testPool(2);
afterAll(() => db.end());

/** The pool as one handler's connection, counting how often the handler closes it. */
function countedConnection(): HandlerConnection & { closes: number } {
  return {
    closes: 0,
    get: async () => db as unknown as Queryable,
    async close() {
      this.closes++;
    },
  };
}

function handlerFor(aggregateType: string, id: string, connection: HandlerConnection) {
  const handler = new AggregateCommandHandler(aggregateDefinition(aggregateType), id, connection);
  return async (command: DomainCommand): Promise<CommandOutcome> => {
    const commandId = randomUUID();
    return handler.submit({ aggregateType, aggregateId: id, command, metadata: { commandId, correlationId: commandId, causationId: commandId } });
  };
}

describe("an order's handler and its connection", () => {
  it("closes the connection once the order is closed, not before, and reconnects for a late command", async () => {
    const [categoryId, productId, orderId] = [randomUUID(), randomUUID(), randomUUID()];
    const other = countedConnection();
    expect(await handlerFor("category", categoryId, other)({ type: "createCategory", data: { id: categoryId, name: "Connections" } })).toMatchObject({ ok: true });
    const createProduct = { id: productId, name: "Lamp", categoryId, price: "2.00", stockQuantity: 5 };
    expect(await handlerFor("product", productId, other)({ type: "createProduct", data: createProduct })).toMatchObject({ ok: true });
    expect(other.closes).toBe(0);

    const connection = countedConnection();
    const order = handlerFor("order", orderId, connection);
    const items = [{ productId, quantity: 1 }];
    expect(await order({ type: "createOrder", data: { id: orderId, userId: "connections", items } })).toMatchObject({ ok: true });
    expect(await order({ type: "recordInventoryReserved", data: { id: orderId } })).toMatchObject({ ok: true });
    expect(connection.closes).toBe(0);
    expect(await order({ type: "cancelOrder", data: { id: orderId, reason: "changed my mind" } })).toMatchObject({ ok: true, view: { status: "cancelled" } });
    expect(connection.closes).toBe(1);
    // A late command is refused by the rules, not by a closed connection.
    expect(await order({ type: "cancelOrder", data: { id: orderId } })).toMatchObject({ ok: false, error: { code: "ORDER_ALREADY_CANCELLED" } });
  });
});
