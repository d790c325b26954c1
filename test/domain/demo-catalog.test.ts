import { describe, expect, it } from "vitest";
import {
  DEMO_CATEGORIES,
  DEMO_ORDERS,
  DEMO_PRICE_HISTORY,
  DEMO_PRODUCTS,
  DEMO_STOCK_UPDATES,
  DEMO_USERS,
} from "../../scripts/seed/demo-catalog.ts";
import { categoryLevels } from "../../scripts/seed/load-demo-catalog.ts";

const PRICE = /^\d+\.\d{2}$/;
const categorySlugs = new Set(DEMO_CATEGORIES.map((c) => c.slug));
const productSlugs = new Set(DEMO_PRODUCTS.map((p) => p.slug));
const parents = new Set(DEMO_CATEGORIES.flatMap((c) => (c.parent ? [c.parent] : [])));

describe("demo catalog", () => {
  it("has unique slugs (they become idempotency keys)", () => {
    expect(categorySlugs.size).toBe(DEMO_CATEGORIES.length);
    expect(productSlugs.size).toBe(DEMO_PRODUCTS.length);
    expect(new Set(DEMO_STOCK_UPDATES.map((s) => s.product)).size).toBe(DEMO_STOCK_UPDATES.length);
    expect(new Set(DEMO_PRICE_HISTORY.map((h) => h.product)).size).toBe(DEMO_PRICE_HISTORY.length);
  });

  it("is a tree of 5 top-level categories with 2 to 4 subcategories each, parents first", () => {
    const roots = DEMO_CATEGORIES.filter((c) => !c.parent);
    expect(roots).toHaveLength(5);
    for (const root of roots) {
      const children = DEMO_CATEGORIES.filter((c) => c.parent === root.slug);
      expect(children.length, root.slug).toBeGreaterThanOrEqual(2);
      expect(children.length, root.slug).toBeLessThanOrEqual(4);
    }
    const levels = categoryLevels(DEMO_CATEGORIES);
    expect(levels.map((level) => level.length)).toEqual([5, DEMO_CATEGORIES.length - 5]);
  });

  it("puts at least 50 products on leaf categories, with exact prices and stock counts", () => {
    expect(DEMO_PRODUCTS.length).toBeGreaterThanOrEqual(50);
    for (const product of DEMO_PRODUCTS) {
      expect(categorySlugs.has(product.category), `${product.slug} -> ${product.category}`).toBe(true);
      expect(parents.has(product.category), `${product.slug} is on a leaf`).toBe(false);
      expect(product.price, product.slug).toMatch(PRICE);
      expect(Number(product.price), product.slug).toBeGreaterThan(0);
      expect(Number.isInteger(product.stock) && product.stock >= 0, product.slug).toBe(true);
      expect(product.name.length, product.slug).toBeLessThanOrEqual(200);
      expect(product.description.length, product.slug).toBeGreaterThan(20);
    }
    for (const category of DEMO_CATEGORIES) expect(category.name.length, category.slug).toBeLessThanOrEqual(100);
  });

  it("changes prices and stock of products that exist", () => {
    for (const { product, prices } of DEMO_PRICE_HISTORY) {
      expect(productSlugs.has(product), product).toBe(true);
      expect(prices.length, product).toBeGreaterThan(0);
      for (const price of prices) expect(price, product).toMatch(PRICE);
    }
    for (const { product, quantity } of DEMO_STOCK_UPDATES) {
      expect(productSlugs.has(product), product).toBe(true);
      expect(Number.isInteger(quantity) && quantity >= 0, product).toBe(true);
    }
  });

  it("places 15 to 25 orders of 1 to 4 existing products each, and cancels a few", () => {
    expect(DEMO_ORDERS.length).toBeGreaterThanOrEqual(15);
    expect(DEMO_ORDERS.length).toBeLessThanOrEqual(25);
    for (const [index, order] of DEMO_ORDERS.entries()) {
      // A demo user, with perhaps a directive for the simulated providers (#charge=..., #arrange=...).
      expect(DEMO_USERS, `order ${index + 1}`).toContain(order.userId.split("#")[0]);
      expect(order.items.length, `order ${index + 1}`).toBeGreaterThanOrEqual(1);
      expect(order.items.length, `order ${index + 1}`).toBeLessThanOrEqual(4);
      // The API refuses a product on two lines of one order.
      expect(new Set(order.items.map((i) => i.product)).size, `order ${index + 1}`).toBe(order.items.length);
      for (const item of order.items) {
        expect(productSlugs.has(item.product), item.product).toBe(true);
        expect(Number.isInteger(item.quantity) && item.quantity >= 1, item.product).toBe(true);
      }
    }
    const cancelled = DEMO_ORDERS.filter((o) => o.cancelReason).length;
    expect(cancelled).toBeGreaterThanOrEqual(2);
    expect(cancelled).toBeLessThan(DEMO_ORDERS.length / 2);
  });
});
