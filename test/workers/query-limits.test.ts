// Documents that ask for too much are refused before validation and
// execution, quickly, and the service answers the next request. Queries run
// in a ReaderDO and mutations in the Worker: both paths are covered.
import { beforeAll, describe, expect, it } from "vitest";
import { QUERY_LIMITS } from "../../src/graphql/query-limits.ts";
import { gql, gqlData, withDb } from "./support.ts";

const NESTED_PRODUCTS = `products(limit: 100) { id name price category { id name parent { id name } children { id name } } }`;

async function refusedQuickly(query: string, reason: string) {
  const started = Date.now();
  const result = await gql(query);
  const took = Date.now() - started;
  expect(result.errors?.[0]?.extensions).toMatchObject({ code: "VALIDATION_ERROR", details: { reason } });
  expect(result.data ?? null).toBeNull();
  expect(took).toBeLessThan(1_000);
  // ...and the next request is answered.
  expect((await gqlData(`{ categories(limit: 1) { id } }`)).categories).toBeDefined();
  return result.errors![0]!.message;
}

describe("query limits", () => {
  // The time limits below are for a refusal, not for a ReaderDO's cold start.
  beforeAll(() => gqlData(`{ categories(limit: 1) { id } }`), 60_000);

  it("refuses 100 aliases of a nested products query", async () => {
    const query = `{ ${Array.from({ length: 100 }, (_, i) => `p${i}: ${NESTED_PRODUCTS}`).join(" ")} }`;
    expect(await refusedQuickly(query, "TOO_MANY_ALIASES")).toMatch(/Aliases limit of 30 exceeded, found 100/);
  });

  it("refuses an over-deep query", async () => {
    const deep = Array.from({ length: QUERY_LIMITS.maxDepth }, () => "parent {").join(" ");
    const query = `{ categories { ${deep} id ${"}".repeat(QUERY_LIMITS.maxDepth)} } }`;
    expect(await refusedQuickly(query, "QUERY_TOO_DEEP")).toMatch(/depth limit of 10 exceeded, found 12/);
  });

  it("refuses an over-costly query within the depth and alias limits", async () => {
    const scalars = "id name description active version createdAt updatedAt parentId";
    const wide = `${scalars} parent { ${scalars} parent { ${scalars} children { ${scalars} children { ${scalars} parent { ${scalars} } } } } }`;
    const query = `{ ${Array.from({ length: 20 }, (_, i) => `c${i}: categories(limit: 100) { ${wide} }`).join(" ")} }`;
    expect(await refusedQuickly(query, "QUERY_TOO_COSTLY")).toMatch(/Cost limit of 5000 exceeded/);
  });

  it("refuses a fragment-multiplied document: nested fragments that each spread the next ten times", async () => {
    const levels = 4;
    const fragments = Array.from({ length: levels }, (_, i) =>
      i === levels - 1 ? `fragment F${i} on Category { id name }` : `fragment F${i} on Category { ${`...F${i + 1} `.repeat(10)}}`,
    ).join("\n");
    const query = `{ categories { ...F0 } }\n${fragments}`;
    // 10^3 spreads of the innermost fragment in about 300 characters, within the depth limit.
    expect(query.length).toBeLessThan(350);
    expect(await refusedQuickly(query, "QUERY_TOO_COSTLY")).toMatch(/Cost limit of 5000 exceeded/);
  });

  it("refuses a short parent/children cycle whose answer multiplies each list's page size", async () => {
    // Within depth, alias and Armor's cost limits (a list counts once there), yet 100 x 100 x 100 categories.
    const cycle = `{ categories(limit: 100) { id children { id parent { id children { id parent { id children { id } } } } } } }`;
    expect(await refusedQuickly(cycle, "RESULT_TOO_LARGE")).toMatch(/could hold \d+ fields, more than the limit of 100000/);
    // The page size can come from a variable, and a smaller one fits.
    const withVariable = `query Tree($n: Int!) { categories(limit: $n) { id children { id parent { id children { id } } } } }`;
    const large = await gql(withVariable, { n: 100 });
    expect(large.errors?.[0]?.extensions).toMatchObject({ code: "VALIDATION_ERROR", details: { reason: "RESULT_TOO_LARGE" } });
    const small = await gql(withVariable, { n: 2 });
    expect(small.errors).toBeUndefined();
  });

  it("refuses a mutation over a limit in the Worker, and it writes nothing", async () => {
    const name = `limits-${crypto.randomUUID()}`;
    const mutation = `mutation { ${Array.from({ length: 40 }, (_, i) => `m${i}: createCategory(input: { name: "${name} ${i}" }) { id }`).join(" ")} }`;
    const result = await gql(mutation);
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: "VALIDATION_ERROR", details: { reason: "TOO_MANY_ALIASES" } });
    const written = await withDb(async (db) => (await db.query("SELECT count(*)::int AS n FROM command.categories WHERE name LIKE $1", [`${name}%`])).rows[0].n);
    expect(written).toBe(0);
  });

  it("lets ordinary queries and the GraphiQL introspection query through", async () => {
    const fields = Array.from({ length: 20 }, (_, i) => `c${i}: categories(limit: 1) { id name parent { id } children { id } }`).join(" ");
    expect((await gql(`{ ${fields} }`)).errors).toBeUndefined();
    const { getIntrospectionQuery } = await import("graphql");
    expect((await gql(getIntrospectionQuery())).errors).toBeUndefined();
  });
});
