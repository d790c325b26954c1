import { describe, expect, it } from "vitest";
import { orderDecider, orderItemView, type OrderCommand, type OrderContext, type OrderEvent } from "../../src/domain/order/order.ts";
import { formatMoney } from "../../src/domain/shared/money.ts";
import { deciderSpec } from "./decider-spec.ts";

const spec = deciderSpec(orderDecider);
const id = "0190c000-0000-7000-8000-000000000001";
const lamp = "0190c000-0000-7000-8000-0000000000a1";
const pen = "0190c000-0000-7000-8000-0000000000b1";
const gone = "0190c000-0000-7000-8000-0000000000c1";

const catalog: OrderContext = {
  products: {
    [lamp]: { id: lamp, name: "Lamp", priceAmount: 1999, active: true },
    [pen]: { id: pen, name: "Pen", priceAmount: 10, active: true },
    [gone]: { id: gone, name: "Gone", priceAmount: 500, active: false },
  },
};

const created: OrderEvent = {
  type: "order.created",
  data: {
    id,
    userId: "user-1",
    items: [
      { productId: lamp, name: "Lamp", quantity: 2, unitPriceAmount: 1999, lineTotalAmount: 3998 },
      { productId: pen, name: "Pen", quantity: 3, unitPriceAmount: 10, lineTotalAmount: 30 },
    ],
    totalAmount: 4028,
  },
};
const reserved: OrderEvent = { type: "order.item_reserved", data: { id } };
const paid: OrderEvent = { type: "order.payment_processed", data: { id, paymentId: "pay-1", amount: 4028 } };
const shipped: OrderEvent = { type: "order.shipped", data: { id, trackingNumber: "TRK-1" } };
const confirmed: OrderEvent = { type: "order.confirmed", data: { id } };
const cancelled: OrderEvent = { type: "order.cancelled", data: { id, reason: null } };
const compensating: OrderEvent = { type: "order.compensation_started", data: { id, reason: "PAYMENT_DECLINED", failedStep: "process_payment" } };
const failed: OrderEvent = { type: "order.failed", data: { id, reason: "PAYMENT_DECLINED" } };

const create = (data: Partial<{ userId: string; items: { productId: string; quantity: number }[] }> = {}): OrderCommand => ({
  type: "createOrder",
  data: { id, userId: " user-1 ", items: [{ productId: lamp, quantity: 2 }, { productId: pen, quantity: 3 }], ...data },
});

const recordPayment = (amount = 4028): OrderCommand => ({ type: "recordPaymentProcessed", data: { id, paymentId: "pay-1", amount } });

describe("createOrder", () => {
  it("prices every line from the products at order time, in minor units", () => spec.given([]).when(create(), catalog).then([created]));

  it("computes totals exactly: 3 x 0.10 = 0.30", () => {
    const [event] = orderDecider.decide(create({ items: [{ productId: pen, quantity: 3 }] }), orderDecider.initialState(), catalog);
    expect(event).toEqual({
      type: "order.created",
      data: { id, userId: "user-1", items: [{ productId: pen, name: "Pen", quantity: 3, unitPriceAmount: 10, lineTotalAmount: 30 }], totalAmount: 30 },
    });
    expect(formatMoney(30)).toBe("0.30");
  });

  it("sums mixed lines exactly (2 x 19.99 + 3 x 0.10 = 40.28)", () => {
    const [event] = orderDecider.decide(create(), orderDecider.initialState(), catalog);
    expect(event?.type === "order.created" && formatMoney(event.data.totalAmount)).toBe("40.28");
    expect(event?.type === "order.created" && event.data.items.map(orderItemView)).toEqual([
      { productId: lamp, productName: "Lamp", quantity: 2, unitPrice: "19.99", lineTotal: "39.98" },
      { productId: pen, productName: "Pen", quantity: 3, unitPrice: "0.10", lineTotal: "0.30" },
    ]);
  });

  it("requires a userId of at most 200 characters", () => {
    spec.given([]).when(create({ userId: "   " }), catalog).thenThrows("VALIDATION_ERROR", { field: "userId" });
    spec.given([]).when(create({ userId: "u".repeat(201) }), catalog).thenThrows("VALIDATION_ERROR", { field: "userId" });
  });

  it("needs 1 to 100 items, each product once", () => {
    spec.given([]).when(create({ items: [] }), catalog).thenThrows("VALIDATION_ERROR", { field: "items" });
    const many = Array.from({ length: 101 }, (_, i) => ({ productId: `0190c000-0000-7000-8000-${String(i).padStart(12, "0")}`, quantity: 1 }));
    spec.given([]).when(create({ items: many }), catalog).thenThrows("VALIDATION_ERROR", { field: "items" });
    spec.given([]).when(create({ items: [{ productId: lamp, quantity: 1 }, { productId: lamp.toUpperCase(), quantity: 2 }] }), catalog).thenThrows(
      "VALIDATION_ERROR",
      { field: "items", productId: lamp },
    );
  });

  it("takes whole quantities from 1 to 10000 and UUID product ids", () => {
    for (const quantity of [0, -1, 1.5, 10_001]) {
      spec.given([]).when(create({ items: [{ productId: lamp, quantity }] }), catalog).thenThrows("VALIDATION_ERROR", { field: "items.0.quantity" });
    }
    spec.given([]).when(create({ items: [{ productId: "lamp", quantity: 1 }] }), catalog).thenThrows("VALIDATION_ERROR", { field: "items.0.productId" });
  });

  it("PRODUCT_NOT_FOUND for a missing product, PRODUCT_DELETED for a deleted one", () => {
    const missing = "0190c000-0000-7000-8000-0000000000d1";
    spec.given([]).when(create({ items: [{ productId: missing, quantity: 1 }] }), { products: { [missing]: null } }).thenThrows("PRODUCT_NOT_FOUND", {
      productId: missing,
    });
    spec.given([]).when(create(), {}).thenThrows("PRODUCT_NOT_FOUND", { productId: lamp });
    spec.given([]).when(create({ items: [{ productId: gone, quantity: 1 }] }), catalog).thenThrows("PRODUCT_DELETED", { productId: gone });
  });

  it("rejects a total the read model could not hold", () => {
    const dear = { products: { [lamp]: { id: lamp, name: "Lamp", priceAmount: 100_000_000_000, active: true } } };
    spec.given([]).when(create({ items: [{ productId: lamp, quantity: 1000 }] }), dear).thenThrows("VALIDATION_ERROR", { field: "items" });
  });

  it("rejects an existing id", () => spec.given([created]).when(create(), catalog).thenThrows("ORDER_EXISTS"));
});

describe("saga steps move the order forward one status at a time", () => {
  it("pending -> inventory_reserved -> payment_processed -> shipped -> confirmed", () => {
    spec.given([created]).when({ type: "recordInventoryReserved", data: { id } }).then([reserved]);
    spec.given([created, reserved]).when(recordPayment()).then([paid]);
    spec.given([created, reserved, paid]).when({ type: "recordShipment", data: { id, trackingNumber: " TRK-1 " } }).then([shipped]);
    spec.given([created, reserved, paid, shipped]).when({ type: "confirmOrder", data: { id } }).then([confirmed]);
  });

  it("INVALID_ORDER_STATE for a step out of order", () => {
    spec.given([created]).when(recordPayment()).thenThrows("INVALID_ORDER_STATE", { status: "pending", command: "recordPaymentProcessed" });
    spec.given([created, reserved]).when({ type: "recordInventoryReserved", data: { id } }).thenThrows("INVALID_ORDER_STATE", {
      status: "inventory_reserved",
    });
    spec.given([created, reserved]).when({ type: "recordShipment", data: { id, trackingNumber: "T" } }).thenThrows("INVALID_ORDER_STATE");
  });

  it("confirmOrder only after shipping", () => {
    for (const history of [[created], [created, reserved], [created, reserved, paid]]) {
      spec.given(history).when({ type: "confirmOrder", data: { id } }).thenThrows("INVALID_ORDER_STATE", { command: "confirmOrder" });
    }
  });

  it("the payment must be the order total, with a payment id", () => {
    spec.given([created, reserved]).when(recordPayment(4027)).thenThrows("PAYMENT_AMOUNT_MISMATCH", { expected: 4028, actual: 4027 });
    spec.given([created, reserved]).when(recordPayment(40.28)).thenThrows("VALIDATION_ERROR", { field: "amount" });
    spec.given([created, reserved]).when({ type: "recordPaymentProcessed", data: { id, paymentId: " ", amount: 4028 } }).thenThrows("VALIDATION_ERROR", {
      field: "paymentId",
    });
  });

  it("a shipment needs a tracking number", () =>
    spec.given([created, reserved, paid]).when({ type: "recordShipment", data: { id, trackingNumber: "" } }).thenThrows("VALIDATION_ERROR", {
      field: "trackingNumber",
    }));

  it("ORDER_NOT_FOUND for every command on an unknown order", () => {
    const commands: OrderCommand[] = [
      { type: "recordInventoryReserved", data: { id } },
      recordPayment(),
      { type: "recordShipment", data: { id, trackingNumber: "T" } },
      { type: "confirmOrder", data: { id } },
      { type: "cancelOrder", data: { id } },
      { type: "startCompensation", data: { id, reason: "r", failedStep: "reserve_inventory" } },
      { type: "failOrder", data: { id, reason: "r" } },
    ];
    for (const command of commands) spec.given([]).when(command).thenThrows("ORDER_NOT_FOUND", { orderId: id });
  });
});

describe("cancelOrder", () => {
  it("is allowed until the order is confirmed, with an optional reason", () => {
    for (const history of [[created], [created, reserved], [created, reserved, paid], [created, reserved, paid, shipped]]) {
      spec.given(history).when({ type: "cancelOrder", data: { id } }).then([cancelled]);
    }
    spec.given([created]).when({ type: "cancelOrder", data: { id, reason: "  changed my mind " } }).then([
      { type: "order.cancelled", data: { id, reason: "changed my mind" } },
    ]);
    spec.given([created]).when({ type: "cancelOrder", data: { id, reason: "x".repeat(501) } }).thenThrows("VALIDATION_ERROR", { field: "reason" });
  });

  it("ORDER_ALREADY_CANCELLED, ORDER_ALREADY_CONFIRMED, INVALID_ORDER_STATE once the order is settled", () => {
    spec.given([created, cancelled]).when({ type: "cancelOrder", data: { id } }).thenThrows("ORDER_ALREADY_CANCELLED");
    spec.given([created, reserved, paid, shipped, confirmed]).when({ type: "cancelOrder", data: { id } }).thenThrows("ORDER_ALREADY_CONFIRMED");
    spec.given([created, failed]).when({ type: "cancelOrder", data: { id } }).thenThrows("INVALID_ORDER_STATE", { status: "failed", command: "cancelOrder" });
  });

  it("settled orders take no more steps", () => {
    spec.given([created, cancelled]).when({ type: "recordInventoryReserved", data: { id } }).thenThrows("ORDER_ALREADY_CANCELLED");
    spec.given([created, reserved, paid, shipped, confirmed]).when({ type: "confirmOrder", data: { id } }).thenThrows("ORDER_ALREADY_CONFIRMED");
    spec.given([created, failed]).when({ type: "failOrder", data: { id, reason: "again" } }).thenThrows("INVALID_ORDER_STATE");
  });
});

describe("compensation and failure", () => {
  it("startCompensation records the failed step and keeps the status", () => {
    spec.given([created, reserved]).when({ type: "startCompensation", data: { id, reason: "PAYMENT_DECLINED", failedStep: "process_payment" } }).then([
      compensating,
    ]);
    spec.given([created]).when({ type: "startCompensation", data: { id, reason: " ", failedStep: "x" } }).thenThrows("VALIDATION_ERROR", { field: "reason" });
    spec.given([created]).when({ type: "startCompensation", data: { id, reason: "r", failedStep: "" } }).thenThrows("VALIDATION_ERROR", {
      field: "failedStep",
    });
  });

  it("while compensating, forward steps and a second compensation are refused; fail and cancel are not", () => {
    const history = [created, reserved, compensating];
    spec.given(history).when(recordPayment()).thenThrows("INVALID_ORDER_STATE", { status: "inventory_reserved", compensating: true });
    spec.given(history).when({ type: "startCompensation", data: { id, reason: "r", failedStep: "s" } }).thenThrows("INVALID_ORDER_STATE");
    spec.given(history).when({ type: "failOrder", data: { id, reason: "PAYMENT_DECLINED" } }).then([failed]);
    spec.given(history).when({ type: "cancelOrder", data: { id, reason: "confirm failed" } }).then([
      { type: "order.cancelled", data: { id, reason: "confirm failed" } },
    ]);
  });

  it("failOrder needs a reason and an open order", () => {
    spec.given([created]).when({ type: "failOrder", data: { id, reason: "INSUFFICIENT_STOCK" } }).then([
      { type: "order.failed", data: { id, reason: "INSUFFICIENT_STOCK" } },
    ]);
    spec.given([created]).when({ type: "failOrder", data: { id, reason: "" } }).thenThrows("VALIDATION_ERROR", { field: "reason" });
    spec.given([created, cancelled]).when({ type: "failOrder", data: { id, reason: "r" } }).thenThrows("ORDER_ALREADY_CANCELLED");
  });

  it("evolve keeps what later steps need", () => {
    const state = [created, reserved, paid, shipped].reduce(orderDecider.evolve, orderDecider.initialState());
    expect(state).toMatchObject({ status: "shipped", paymentId: "pay-1", trackingNumber: "TRK-1", totalAmount: 4028, compensation: null });
  });
});
