// A stream belongs to one aggregate type: an id of another kind is not found,
// and nothing is written to the stream it names.
import { describe, expect, it } from "vitest";
import { errorCode, gql, gqlData, withDb } from "./support.ts";

async function streamOf(id: string): Promise<{ events: number; types: string[] }> {
  return withDb(async (db) => {
    const { rows } = await db.query<{ events: number; types: string[] }>(
      "SELECT count(*)::int AS events, coalesce(array_agg(DISTINCT aggregate_type), '{}') AS types FROM event_store.events WHERE aggregate_id = $1",
      [id],
    );
    return rows[0]!;
  });
}

describe("an id of another aggregate type", () => {
  it("category mutations given a product's or an order's id answer CATEGORY_NOT_FOUND; a product mutation given a category's id PRODUCT_NOT_FOUND", async () => {
    const { createCategory: category } = await gqlData(`mutation { createCategory(input: { name: "Typed" }) { id } }`);
    const { createProduct: product } = await gqlData(
      `mutation($c: ID!) { createProduct(input: { name: "Typed lamp", categoryId: $c, price: "3.00", stockQuantity: 5 }) { id } }`,
      { c: category.id },
    );
    const { createOrder: order } = await gqlData(
      `mutation($p: ID!) { createOrder(input: { userId: "typed", items: [{ productId: $p, quantity: 1 }] }) { order { id } } }`,
      { p: product.id },
    );
    const before = await Promise.all([category.id, product.id, order.order.id].map(streamOf));

    for (const id of [product.id, order.order.id]) {
      const updated = await gql(`mutation($id: ID!) { updateCategory(input: { id: $id, name: "Hijacked" }) { id } }`, { id });
      expect(errorCode(updated), `updateCategory(${id})`).toBe("CATEGORY_NOT_FOUND");
      const deleted = await gql(`mutation($id: ID!) { deleteCategory(input: { id: $id }) { id } }`, { id });
      expect(errorCode(deleted), `deleteCategory(${id})`).toBe("CATEGORY_NOT_FOUND");
    }
    const productUpdate = await gql(`mutation($id: ID!) { updateProduct(input: { id: $id, name: "Hijacked" }) { id } }`, { id: category.id });
    expect(errorCode(productUpdate)).toBe("PRODUCT_NOT_FOUND");
    const stock = await gql(`mutation($id: ID!) { updateStock(input: { id: $id, quantity: 1 }) { id } }`, { id: order.order.id });
    expect(errorCode(stock)).toBe("PRODUCT_NOT_FOUND");

    // The order's saga goes on writing to the product and the order; nobody else may.
    const after = await Promise.all([category.id, product.id, order.order.id].map(streamOf));
    expect(after[0]).toEqual(before[0]);
    expect(after.map((s) => s.types)).toEqual([["category"], ["product"], ["order"]]);
    const foreign = await withDb(async (db) =>
      (await db.query(`SELECT event_type FROM event_store.events WHERE aggregate_id = ANY($1::uuid[]) AND event_type LIKE 'category.%'`, [[product.id, order.order.id]])).rows,
    );
    expect(foreign).toEqual([]);
  });
});
