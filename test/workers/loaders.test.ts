// A nested read costs a query per kind of lookup (batched per request), not
// one per parent, and a list reads what its items ask for along with them.
// Counted on the connection the request uses.
import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { expect, it } from "vitest";
import { connectClient } from "../../src/db/connection.ts";
import { graphqlServer } from "../../src/graphql/server.ts";
import { gqlData } from "./support.ts";

/** Runs one query on a fresh connection of its own; returns its data, the statements it ran and those not prepared (unnamed). */
async function countedRead(query: string): Promise<{ data: Record<string, any>; statements: number; unprepared: string[] }> {
  const client = await connectClient({ url: env.DATABASE_URL, proxy: env.DB_PROXY });
  let statements = 0;
  const unprepared: string[] = [];
  const send = client.query.bind(client) as (...args: unknown[]) => Promise<unknown>;
  const count = (statement: unknown) => {
    statements++;
    const { name, text } = typeof statement === "string" ? { name: undefined, text: statement } : (statement as { name?: string; text: string });
    if (!name) unprepared.push(text);
  };
  Object.assign(client, { query: (...args: unknown[]) => (count(args[0]), send(...args)) });
  try {
    const request = new Request("http://test.local/graphql", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query }),
    });
    const response = await graphqlServer().fetch(request, { env, executionContext: createExecutionContext(), db: { get: async () => client } });
    const body = (await response.json()) as { data?: Record<string, any>; errors?: unknown };
    expect(body.errors).toBeUndefined();
    return { data: body.data!, statements, unprepared };
  } finally {
    await client.end();
  }
}

/** top > root > children d, b, c, a; four products in d, b, c, and one in a, deleted with a. */
async function catalog(tag: string) {
  const category = (name: string, parentId?: string) =>
    gqlData(`mutation($n: String!, $p: ID) { createCategory(input: { name: $n, parentId: $p }) { id } }`, { n: name, p: parentId }).then((d) => d.createCategory.id as string);
  const product = (name: string, categoryId: string) =>
    gqlData(`mutation($n: String!, $c: ID!) { createProduct(input: { name: $n, categoryId: $c, price: "1.00", stockQuantity: 1 }) { id } }`, { n: name, c: categoryId });
  const top = await category(`${tag} top`);
  const root = await category(`${tag} root`, top);
  const children = [];
  for (const name of ["d", "b", "c", "a"]) children.push(await category(`${tag} child ${name}`, root));
  for (const [i, child] of [...children.slice(0, 3), children[0]!].entries()) await product(`${tag} product ${i}`, child);
  const gone = children[3]!;
  const { createProduct } = await product(`${tag} product gone`, gone);
  await gqlData(`mutation($id: ID!) { deleteProduct(input: { id: $id }) { id } }`, { id: createProduct.id });
  const { position } = await gqlData(`mutation($id: ID!) { deleteCategory(input: { id: $id }) { id } }`, { id: gone });
  await gqlData(`{ products(limit: 1) { id } categories(limit: 1) { id } }`, {}, { "x-min-position": position! });
  return { top, root, gone };
}

it("products with their categories, parents and children take a handful of queries, whatever the number of rows", async () => {
  await catalog(`Loader ${crypto.randomUUID().slice(0, 6)}`);
  const { data, statements, unprepared } = await countedRead(
    `{ products(limit: 20) { name category { name parent { name children { name } } } } categories(limit: 20) { name children { name } } }`,
  );
  expect(data.products.length).toBeGreaterThan(3);
  // products with their categories and parents, categories with their
  // children, then the parents' children. A query per parent costs 20 and more here.
  expect(statements).toBeLessThanOrEqual(3);
  expect(unprepared).toEqual([]);
});

it("a list reads its items' children, categories and parents in its own statement, and answers as the loaders do", async () => {
  const tag = `Nested ${crypto.randomUUID().slice(0, 6)}`;
  const { top, root, gone } = await catalog(tag);
  const { data, statements } = await countedRead(
    `{ categories(parentId: "${top}") { id children { name } }
       products(categoryId: "${gone}", includeDeleted: true) { name category { id active parent { id name } } } }`,
  );
  expect(statements).toBe(2);
  // Active children only, by name; a deleted category still answers for its products.
  expect(data.categories).toEqual([{ id: root, children: ["b", "c", "d"].map((n) => ({ name: `${tag} child ${n}` })) }]);
  expect(data.products).toEqual([{ name: `${tag} product gone`, category: { id: gone, active: false, parent: { id: root, name: `${tag} root` } } }]);
  // The same fields through the loaders (category(id) and product(id) prefetch nothing).
  const loaded = await countedRead(`{ category(id: "${root}") { children { name } } }`);
  expect(loaded.data.category.children).toEqual(data.categories[0].children);
  // Lists and the loaders' batch lookups alike are prepared statements: built once per connection, not per call.
  expect(loaded.unprepared).toEqual([]);
});
