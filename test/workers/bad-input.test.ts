// Bad input, as a client would send it: each gets a clear error with a stable
// code, writes nothing, and the service keeps serving.
import { describe, expect, it } from "vitest";
import { errorCode, gql, gqlData, withDb } from "./support.ts";

const NUL = "a\u0000b";
const LONE_SURROGATE = "a\ud800b";

async function storedCategoriesNamed(tag: string): Promise<number> {
  return withDb(async (db) => (await db.query("SELECT count(*)::int AS n FROM command.categories WHERE name LIKE $1", [`%${tag}%`])).rows[0].n);
}

describe("strings Postgres cannot store (NUL, lone surrogates)", () => {
  it("are refused with VALIDATION_ERROR naming the argument, in variables and literals, for every field", async () => {
    const tag = `nul${crypto.randomUUID().slice(0, 8)}`;
    const categoryId = (await gqlData(`mutation { createCategory(input: { name: "Holder ${tag}" }) { id } }`)).createCategory.id;
    for (const bad of [NUL, LONE_SURROGATE]) {
      const cases: [string, Record<string, unknown>, string][] = [
        [`mutation($n: String!) { createCategory(input: { name: $n }) { id } }`, { n: `${tag}${bad}` }, "$n"],
        [`mutation($i: CreateCategoryInput!) { createCategory(input: $i) { id } }`, { i: { name: tag, description: bad } }, "$i.description"],
        [`mutation($i: UpdateCategoryInput!) { updateCategory(input: $i) { id } }`, { i: { id: categoryId, name: `${tag}${bad}` } }, "$i.name"],
        [`query($q: String!) { searchProducts(query: $q) { id } }`, { q: bad }, "$q"],
        [`query($q: String!) { searchCategories(query: $q) { id } }`, { q: bad }, "$q"],
        [`query($u: String!) { userOrders(userId: $u) { id } }`, { u: bad }, "$u"],
        [`query($t: String) { events(eventType: $t) { id } }`, { t: bad }, "$t"],
        [`query($t: String!) { aggregateHistory(aggregateType: $t, id: "${categoryId}") { id } }`, { t: bad }, "$t"],
        [`query($p: String) { category(id: "${categoryId}", minPosition: $p) { id } }`, { p: bad }, "$p"],
        [`mutation($i: CreateOrderInput!) { createOrder(input: $i) { success } }`, { i: { userId: bad, items: [] } }, "$i.userId"],
      ];
      for (const [query, variables, field] of cases) {
        const result = await gql(query, variables);
        expect(errorCode(result), `${query} ${JSON.stringify(variables)}`).toBe("VALIDATION_ERROR");
        expect(result.errors![0]!.extensions!.details).toEqual({ field });
      }
    }
    // The same in a literal argument (GraphQL's own \u0000 escape).
    const literal = await gql(`mutation { createCategory(input: { name: "${tag}\\u0000" }) { id } }`);
    expect(errorCode(literal)).toBe("VALIDATION_ERROR");
    expect(literal.errors![0]!.extensions!.details).toEqual({ field: "createCategory(input).name" });
    const search = await gql(`{ searchProducts(query: "x\\u0000") { id } }`);
    expect(search.errors![0]!.extensions!.details).toEqual({ field: "searchProducts(query)" });

    expect(await storedCategoriesNamed(tag)).toBe(1);
    expect((await gqlData(`{ health { postgres { ok } } }`)).health.postgres.ok).toBe(true);
  });
});

describe("names", () => {
  const create = (name: string, description?: string) =>
    gql(`mutation($n: String!, $d: String) { createCategory(input: { name: $n, description: $d }) { name description } }`, { n: name, d: description });

  it("count characters as people do, keep line breaks in descriptions", async () => {
    const emoji = "🙂".repeat(60);
    expect((await create(emoji, "line one\r\nline two")).data!.createCategory).toEqual({ name: emoji, description: "line one\nline two" });
  });

  it("refuse zero-width-only names, control characters, terminal escapes and bidi overrides, writing nothing", async () => {
    const tag = `bad${crypto.randomUUID().slice(0, 8)}`;
    for (const name of ["\u200b\u200b\u200b", `${tag}\u001b[31m`, `${tag}\u0085`, `${tag}\u202e`, `${tag}\nsecond line`]) {
      const result = await create(name);
      expect(errorCode(result), JSON.stringify(name)).toBe("VALIDATION_ERROR");
      expect(result.errors![0]!.extensions!.details).toMatchObject({ field: "name" });
    }
    expect(errorCode(await create(tag, `bell\u0007`))).toBe("VALIDATION_ERROR");
    expect(await storedCategoriesNamed(tag)).toBe(0);
  });
});

describe("the audit trail", () => {
  async function newProduct(): Promise<string> {
    const category = await gqlData(`mutation { createCategory(input: { name: "Audited" }) { id } }`);
    const product = await gqlData(`mutation($c: ID!) { createProduct(input: { name: "Audited", categoryId: $c, price: "1.00", stockQuantity: 1 }) { id } }`, {
      c: category.createCategory.id,
    });
    return product.createProduct.id;
  }

  it("answers AGGREGATE_NOT_FOUND for another aggregate type's id or an unknown id", async () => {
    const productId = await newProduct();
    const unknown = "0190a000-0000-7000-8000-00000000beef";
    for (const [type, id] of [["category", productId], ["order", productId], ["product", unknown]]) {
      const state = await gql(`query($t: String!, $id: ID!) { aggregateState(aggregateType: $t, id: $id) { version state } }`, { t: type, id });
      expect(errorCode(state), `aggregateState ${type}`).toBe("AGGREGATE_NOT_FOUND");
      const history = await gql(`query($t: String!, $id: ID!) { aggregateHistory(aggregateType: $t, id: $id) { version } }`, { t: type, id });
      expect(errorCode(history), `aggregateHistory ${type}`).toBe("AGGREGATE_NOT_FOUND");
    }
    const own = await gqlData(`query($id: ID!) { aggregateState(aggregateType: "product", id: $id) { version } }`, { id: productId });
    expect(own.aggregateState.version).toBe(1);
  });

  it("takes only ISO-8601 date-times with a zone in years 0001-9999 as `at`", async () => {
    const id = await newProduct();
    const at = (time: string) => gql(`query($id: ID!, $at: String) { aggregateState(aggregateType: "product", id: $id, at: $at) { version } }`, { id, at: time });
    for (const bad of [
      "0000-01-01T00:00:00Z",
      "10000-01-01T00:00:00Z",
      "+275760-09-13T00:00:00Z",
      "1",
      "2026-02-30T00:00:00Z",
      "2026-01-01T00:00:00",
      "2026-01-01",
      "0001-01-01T00:00:00+01:00",
    ]) {
      const result = await at(bad);
      expect(errorCode(result), bad).toBe("VALIDATION_ERROR");
      expect(result.errors![0]!.extensions!.details).toMatchObject({ field: "at" });
    }
    for (const [good, version] of [["0001-01-01T00:00:00Z", 0], ["9999-12-31T23:59:59.999999Z", 1], ["2999-01-01T01:00+02:00", 1]] as const) {
      const result = await at(good);
      expect(result.errors, good).toBeUndefined();
      expect(result.data!.aggregateState.version, good).toBe(version);
    }
  });
});
