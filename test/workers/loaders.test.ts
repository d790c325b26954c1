// A nested read costs a query per kind of lookup (batched per request), not
// one per parent. Counted on the connection the request uses.
import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { expect, it } from "vitest";
import { connectClient } from "../../src/db/connection.ts";
import { graphqlServer } from "../../src/graphql/server.ts";
import { gqlData } from "./support.ts";

it("products with their categories, parents and children take a handful of queries, whatever the number of rows", async () => {
  const { createCategory: root } = await gqlData(`mutation { createCategory(input: { name: "Loader root" }) { id } }`);
  let position: string | undefined;
  for (let i = 0; i < 4; i++) {
    const { createCategory: child } = await gqlData(`mutation($p: ID!) { createCategory(input: { name: "Loader child ${i}", parentId: $p }) { id } }`, { p: root.id });
    ({ position } = await gqlData(`mutation($c: ID!) { createProduct(input: { name: "Loader product ${i}", categoryId: $c, price: "1.00", stockQuantity: 1 }) { id } }`, { c: child.id }));
  }
  await gqlData(`{ products(limit: 1) { id } categories(limit: 1) { id } }`, {}, { "x-min-position": position! });
  const client = await connectClient({ url: env.DATABASE_URL, proxy: env.DB_PROXY });
  let queries = 0;
  const query = client.query.bind(client) as (...args: unknown[]) => Promise<unknown>;
  Object.assign(client, { query: (...args: unknown[]) => (queries++, query(...args)) });
  try {
    const request = new Request("http://test.local/graphql", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: `{ products(limit: 20) { name category { name parent { name children { name } } } } categories(limit: 20) { name children { name } } }` }),
    });
    const response = await graphqlServer().fetch(request, { env, executionContext: createExecutionContext(), db: { get: async () => client } });
    const body = (await response.json()) as { data?: { products: unknown[] }; errors?: unknown };
    expect(body.errors).toBeUndefined();
    expect(body.data!.products.length).toBeGreaterThan(3);
    // products, categories, then one batch per level: category, parent, children.
    // A query per parent costs 20 and more here.
    expect(queries).toBeLessThanOrEqual(6);
  } finally {
    await client.end();
  }
});
