import { describe, expect, it } from "vitest";
import { productDecider, type ProductEvent } from "../../src/domain/product/product.ts";
import { upcastDomainEvent } from "../../src/domain/upcasters.ts";
import type { StoredEvent } from "../../src/event-store/index.ts";
import { deciderSpec } from "./decider-spec.ts";

const spec = deciderSpec(productDecider);
const id = "0190b000-0000-7000-8000-000000000001";
const categoryId = "0190b000-0000-7000-8000-000000000002";
const otherCategory = "0190b000-0000-7000-8000-000000000003";
const orderA = "0190b000-0000-7000-8000-0000000000a1";
const orderB = "0190b000-0000-7000-8000-0000000000b1";
const activeCategory = { category: { id: categoryId, active: true } };

const created: ProductEvent = {
  type: "product.created",
  data: { id, name: "Lamp", description: null, categoryId, priceAmount: 1999, stockQuantity: 10 },
};
const reservedA: ProductEvent = { type: "product.stock_reserved", data: { id, orderId: orderA, quantity: 3, stockQuantity: 7, reservedQuantity: 3 } };
const deleted: ProductEvent = { type: "product.deleted", data: { id } };

describe("createProduct", () => {
  const create = (data: Partial<{ name: string; price: string; stockQuantity: number; categoryId: string }> = {}) => ({
    type: "createProduct" as const,
    data: { id, name: " Lamp ", categoryId, price: "19.99", stockQuantity: 10, ...data },
  });

  it("creates with the price in minor units", () => spec.given([]).when(create(), activeCategory).then([created]));
  it("rejects a zero or negative price", () => {
    spec.given([]).when(create({ price: "0.00" }), activeCategory).thenThrows("VALIDATION_ERROR", { field: "price" });
    spec.given([]).when(create({ price: "-1" }), activeCategory).thenThrows("VALIDATION_ERROR", { field: "price" });
  });
  it("rejects a price with three decimals", () => spec.given([]).when(create({ price: "1.001" }), activeCategory).thenThrows("VALIDATION_ERROR"));
  it("rejects negative or fractional stock", () => {
    spec.given([]).when(create({ stockQuantity: -1 }), activeCategory).thenThrows("VALIDATION_ERROR", { field: "stockQuantity" });
    spec.given([]).when(create({ stockQuantity: 1.5 }), activeCategory).thenThrows("VALIDATION_ERROR");
  });
  it("requires a name", () => spec.given([]).when(create({ name: "  " }), activeCategory).thenThrows("VALIDATION_ERROR", { field: "name" }));
  it("requires an existing, active category", () => {
    spec.given([]).when(create(), { category: null }).thenThrows("CATEGORY_NOT_FOUND");
    spec.given([]).when(create(), { category: { id: categoryId, active: false } }).thenThrows("CATEGORY_DELETED");
  });
  it("rejects an existing id", () => spec.given([created]).when(create(), activeCategory).thenThrows("PRODUCT_EXISTS"));
});

describe("updateProduct, changeProductPrice, deleteProduct", () => {
  it("records only what changed", () =>
    spec.given([created]).when({ type: "updateProduct", data: { id, name: "Lamp", description: "Warm" } }).then([
      { type: "product.updated", data: { id, description: "Warm" } },
    ]));
  it("moves to another active category", () => {
    spec.given([created]).when({ type: "updateProduct", data: { id, categoryId: otherCategory } }, { category: { id: otherCategory, active: true } }).then([
      { type: "product.updated", data: { id, categoryId: otherCategory } },
    ]);
    spec.given([created]).when({ type: "updateProduct", data: { id, categoryId: otherCategory } }, { category: null }).thenThrows("CATEGORY_NOT_FOUND");
  });
  it("changes the price exactly, and not to zero", () => {
    spec.given([created]).when({ type: "changeProductPrice", data: { id, price: "24.50" } }).then([
      { type: "product.price_changed", data: { id, priceAmount: 2450, previousPriceAmount: 1999 } },
    ]);
    spec.given([created]).when({ type: "changeProductPrice", data: { id, price: "19.99" } }).then([]);
    spec.given([created]).when({ type: "changeProductPrice", data: { id, price: "0" } }).thenThrows("VALIDATION_ERROR");
  });
  it("deletes softly and then refuses changes", () => {
    spec.given([created]).when({ type: "deleteProduct", data: { id } }).then([deleted]);
    spec.given([created, deleted]).when({ type: "changeProductPrice", data: { id, price: "1.00" } }).thenThrows("PRODUCT_DELETED");
    spec.given([created, deleted]).when({ type: "deleteProduct", data: { id } }).thenThrows("PRODUCT_DELETED");
  });
  it("PRODUCT_NOT_FOUND for an unknown product", () => spec.given([]).when({ type: "updateStock", data: { id, quantity: 1 } }).thenThrows("PRODUCT_NOT_FOUND"));
});

describe("stock", () => {
  it("updateStock sets the available quantity, never negative", () => {
    spec.given([created]).when({ type: "updateStock", data: { id, quantity: 25 } }).then([
      { type: "product.stock_updated", data: { id, stockQuantity: 25, reservedQuantity: 0, previousStockQuantity: 10 } },
    ]);
    spec.given([created]).when({ type: "updateStock", data: { id, quantity: -1 } }).thenThrows("VALIDATION_ERROR");
  });

  it("reserveStock moves units from available to reserved", () =>
    spec.given([created]).when({ type: "reserveStock", data: { id, orderId: orderA, quantity: 3 } }).then([reservedA]));

  it("reserveStock fails with INSUFFICIENT_STOCK naming the shortfall", () =>
    spec.given([created, reservedA]).when({ type: "reserveStock", data: { id, orderId: orderB, quantity: 9 } }).thenThrows("INSUFFICIENT_STOCK", {
      requested: 9,
      available: 7,
      shortfall: 2,
    }));

  it("reserveStock refuses a deleted product", () =>
    spec.given([created, deleted]).when({ type: "reserveStock", data: { id, orderId: orderA, quantity: 1 } }).thenThrows("PRODUCT_DELETED"));

  it("releaseStock returns what the order reserved, and never more", () => {
    spec.given([created, reservedA]).when({ type: "releaseStock", data: { id, orderId: orderA } }).then([
      { type: "product.stock_released", data: { id, orderId: orderA, quantity: 3, stockQuantity: 10, reservedQuantity: 0 } },
    ]);
    spec.given([created, reservedA]).when({ type: "releaseStock", data: { id, orderId: orderA, quantity: 4 } }).thenThrows("RESERVATION_EXCEEDED", {
      held: 3,
    });
    spec.given([created, reservedA]).when({ type: "releaseStock", data: { id, orderId: orderB, quantity: 1 } }).thenThrows("RESERVATION_EXCEEDED", {
      held: 0,
    });
  });

  it("commitStock takes reserved units out for good", () => {
    spec.given([created, reservedA]).when({ type: "commitStock", data: { id, orderId: orderA, quantity: 2 } }).then([
      { type: "product.stock_committed", data: { id, orderId: orderA, quantity: 2, stockQuantity: 7, reservedQuantity: 1 } },
    ]);
    spec.given([created, reservedA]).when({ type: "commitStock", data: { id, orderId: orderA, quantity: 5 } }).thenThrows("RESERVATION_EXCEEDED");
  });

  it("release after commit only returns what is still held; nothing held is a no-op", () => {
    const committed: ProductEvent = {
      type: "product.stock_committed",
      data: { id, orderId: orderA, quantity: 3, stockQuantity: 7, reservedQuantity: 0 },
    };
    spec.given([created, reservedA, committed]).when({ type: "releaseStock", data: { id, orderId: orderA } }).then([]);
  });

  it("a deleted product can still give back reservations", () =>
    spec.given([created, reservedA, deleted]).when({ type: "releaseStock", data: { id, orderId: orderA } }).then([
      { type: "product.stock_released", data: { id, orderId: orderA, quantity: 3, stockQuantity: 10, reservedQuantity: 0 } },
    ]));
});

describe("product.created upcaster", () => {
  it("lifts the v1 float price to minor units", () => {
    const v1: StoredEvent = {
      globalSequence: 1,
      transactionId: "1",
      position: "1-1",
      streamId: id,
      streamType: "product",
      type: "product.created",
      data: { id, name: "Old", categoryId, price: 19.99, stock: 4 },
      metadata: {},
      version: 1,
      schemaVersion: 1,
      occurredAt: new Date(),
    };
    const current = upcastDomainEvent(v1);
    expect(current.schemaVersion).toBe(2);
    expect(current.data).toEqual({ id, name: "Old", description: null, categoryId, priceAmount: 1999, stockQuantity: 4 });
    expect(upcastDomainEvent(current)).toBe(current);
  });
});
