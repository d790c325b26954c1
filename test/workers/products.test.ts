import { describe, expect, it } from "vitest";
import { errorCode, gql, gqlData, withDb } from "./support.ts";

const FIELDS = "id name description categoryId price stockQuantity reservedQuantity active version createdAt updatedAt";

async function newCategory(name = "Shop") {
  return (await gqlData(`mutation($name: String!) { createCategory(input: { name: $name }) { id } }`, { name })).createCategory.id as string;
}

async function createProduct(input: Record<string, unknown>, headers: Record<string, string> = {}) {
  const result = await gqlData(`mutation($input: CreateProductInput!) { createProduct(input: $input) { ${FIELDS} } }`, { input }, headers);
  return { ...result.createProduct, position: result.position };
}

const mutate = (name: string, input: Record<string, unknown>) =>
  gql(`mutation($input: ${name[0]!.toUpperCase()}${name.slice(1)}Input!) { ${name}(input: $input) { ${FIELDS} } }`, { input });

describe("product mutations and queries", () => {
  it("createProduct returns the product with an exact Decimal price", async () => {
    const categoryId = await newCategory();
    const product = await createProduct({ name: "Desk lamp", categoryId, price: "19.99", stockQuantity: 5 });
    expect(product).toMatchObject({ name: "Desk lamp", categoryId, price: "19.99", stockQuantity: 5, reservedQuantity: 0, active: true, version: 1 });
    const read = await gqlData(`query($id: ID!, $p: String) { product(id: $id, minPosition: $p) { ${FIELDS} category { id } } }`, {
      id: product.id,
      p: product.position,
    });
    expect(read.product).toMatchObject({ price: "19.99", stockQuantity: 5, category: { id: categoryId } });
    const stored = await withDb(async (db) => (await db.query("SELECT price_amount FROM command.products WHERE id = $1", [product.id])).rows[0]);
    expect(Number(stored.price_amount)).toBe(1999);
  });

  it("updateProduct, changeProductPrice, updateStock and deleteProduct", async () => {
    const categoryId = await newCategory();
    const other = await newCategory("Other");
    const { id } = await createProduct({ name: "Chair", categoryId, price: "49.00", stockQuantity: 2 });
    expect((await mutate("updateProduct", { id, name: "Arm chair", categoryId: other })).data!.updateProduct).toMatchObject({
      name: "Arm chair",
      categoryId: other,
      version: 2,
    });
    expect((await mutate("changeProductPrice", { id, price: "45.50" })).data!.changeProductPrice).toMatchObject({ price: "45.50", version: 3 });
    expect((await mutate("updateStock", { id, quantity: 12 })).data!.updateStock).toMatchObject({ stockQuantity: 12, version: 4 });
    const deleted = await gql(`mutation($id: ID!) { deleteProduct(input: { id: $id }) { active version } }`, { id });
    expect(deleted.data!.deleteProduct).toEqual({ active: false, version: 5 });
    const read = await gqlData(`query($id: ID!, $p: String) { product(id: $id, minPosition: $p) { name price stockQuantity active version } }`, {
      id,
      p: deleted.extensions!.position,
    });
    expect(read.product).toEqual({ name: "Arm chair", price: "45.50", stockQuantity: 12, active: false, version: 5 });
  });

  it("products filters by category and price range, with pagination", async () => {
    const categoryId = await newCategory("Filtered");
    let position = "";
    for (const [name, price] of [["a", "5.00"], ["b", "10.00"], ["c", "15.50"], ["d", "20.00"]]) {
      position = (await createProduct({ name, categoryId, price, stockQuantity: 1 })).position;
    }
    const list = (args: string) =>
      gqlData(`query($c: ID!, $p: String) { products(categoryId: $c, minPosition: $p, ${args}) { name price } }`, { c: categoryId, p: position });
    expect((await list(`minPrice: "10", maxPrice: "15.50"`)).products).toEqual([
      { name: "b", price: "10.00" },
      { name: "c", price: "15.50" },
    ]);
    expect((await list(`limit: 2, offset: 1`)).products.map((p: { name: string }) => p.name)).toEqual(["b", "c"]);
  });

  it("searchProducts and searchCategories match case-insensitively", async () => {
    const tag = `Zq${crypto.randomUUID().slice(0, 6)}`;
    const categoryId = await newCategory(`Cat ${tag}`);
    const { position } = await createProduct({ name: `Lamp ${tag}`, description: "bright", categoryId, price: "1.00", stockQuantity: 1 });
    await gqlData(`query($p: String) { products(minPosition: $p, limit: 1) { id } }`, { p: position });
    const found = await gqlData(`query($q: String!) { searchProducts(query: $q) { name } searchCategories(query: $q) { name } }`, {
      q: tag.toLowerCase(),
    });
    expect(found.searchProducts).toEqual([{ name: `Lamp ${tag}` }]);
    expect(found.searchCategories).toEqual([{ name: `Cat ${tag}` }]);
  });
});

describe("product errors", () => {
  it("VALIDATION_ERROR for a bad price or stock, CATEGORY_NOT_FOUND / CATEGORY_DELETED for a bad category", async () => {
    const categoryId = await newCategory();
    const create = (input: Record<string, unknown>) =>
      gql(`mutation($input: CreateProductInput!) { createProduct(input: $input) { id } }`, {
        input: { name: "X", categoryId, price: "1.00", stockQuantity: 1, ...input },
      });
    expect(errorCode(await create({ price: "0" }))).toBe("VALIDATION_ERROR");
    expect(errorCode(await create({ price: "1.234" }))).toBe("VALIDATION_ERROR");
    expect(errorCode(await create({ price: "abc" }))).toBe("VALIDATION_ERROR");
    expect(errorCode(await create({ stockQuantity: -3 }))).toBe("VALIDATION_ERROR");
    expect(errorCode(await create({ categoryId: "0190a000-0000-7000-8000-0000000000ee" }))).toBe("CATEGORY_NOT_FOUND");
    await gqlData(`mutation($id: ID!) { deleteCategory(input: { id: $id }) { id } }`, { id: categoryId });
    expect(errorCode(await create({}))).toBe("CATEGORY_DELETED");
  });

  it("PRODUCT_NOT_FOUND and PRODUCT_DELETED", async () => {
    const missing = "0190a000-0000-7000-8000-0000000000dd";
    expect(errorCode(await mutate("changeProductPrice", { id: missing, price: "1.00" }))).toBe("PRODUCT_NOT_FOUND");
    const categoryId = await newCategory();
    const { id } = await createProduct({ name: "Gone", categoryId, price: "1.00", stockQuantity: 1 });
    await gqlData(`mutation($id: ID!) { deleteProduct(input: { id: $id }) { id } }`, { id });
    expect(errorCode(await mutate("updateStock", { id, quantity: 3 }))).toBe("PRODUCT_DELETED");
  });

  it("a product created while its category is deleted concurrently never lands in a deleted category", async () => {
    for (let round = 0; round < 5; round++) {
      const categoryId = await newCategory("Racy");
      await Promise.all([
        gql(`mutation($id: ID!) { deleteCategory(input: { id: $id }) { id } }`, { id: categoryId }),
        gql(`mutation($c: ID!) { createProduct(input: { name: "Racy", categoryId: $c, price: "1.00", stockQuantity: 1 }) { id } }`, { c: categoryId }),
      ]);
      const strays = await withDb(async (db) =>
        (
          await db.query(
            `SELECT count(*)::int AS n FROM command.products p JOIN command.categories c ON c.id = p.category_id
             WHERE c.id = $1 AND NOT c.active AND p.version = 1 AND p.updated_at > c.updated_at`,
            [categoryId],
          )
        ).rows[0].n,
      );
      expect(strays).toBe(0);
    }
  });
});
