// `npm run seed` against the real local stack (on free ports, with its data in
// a temporary directory), run twice: the first run loads the demo shop, the
// second gets every answer from its idempotency key and writes nothing.
import { spawn } from "node:child_process";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findFreePort } from "../../scripts/lib/ports.ts";
import { startStack, type LocalStack } from "../../scripts/lib/stack.ts";
import { DEMO_CATEGORIES, DEMO_ORDERS, DEMO_PRODUCTS } from "../../scripts/seed/demo-catalog.ts";
import { createGraphQLClient, SeedError, type GraphQLClient } from "../../scripts/seed/graphql-client.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

interface SeedRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runSeed(graphqlUrl: string): Promise<SeedRun> {
  return new Promise((resolve, reject) => {
    const child = spawn("node_modules/.bin/tsx", ["scripts/seed-demo-data.ts"], { cwd: ROOT, env: { ...process.env, GRAPHQL_URL: graphqlUrl } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stdout, stderr }));
  });
}

interface Shop {
  categories: Array<{ id: string; name: string; parentId: string | null }>;
  products: Array<{ id: string; name: string; categoryId: string; price: string; stockQuantity: number; reservedQuantity: number }>;
  orders: Array<{ id: string; userId: string; status: string; items: Array<{ productId: string }> }>;
  eventStoreStats: { totalEvents: number };
}

const SHOP = /* GraphQL */ `
  query Shop {
    categories(limit: 100) { id name parentId }
    products(limit: 100) { id name categoryId price stockQuantity reservedQuantity }
    orders(limit: 100) { id userId status items { productId } }
    eventStoreStats { totalEvents }
  }
`;

let dataDir: string | undefined;
let stack: LocalStack | undefined;
let graphql: GraphQLClient;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "edge-cqrs-seed-"));
  await chmod(dataDir, 0o755); // as root, Postgres runs as the postgres user
  const [port, pgPort] = await Promise.all([findFreePort(), findFreePort()]);
  stack = await startStack({ dataDir, port, pgPort, echo: false, log: () => undefined, command: "test/e2e/seed.test.ts" });
  graphql = createGraphQLClient({ url: stack.urls.graphql });
});

afterAll(async () => {
  try {
    await stack?.stop();
  } finally {
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  }
});

describe("npm run seed", () => {
  let first: Shop;

  it("loads the demo shop: the category tree, its products, price and stock changes, orders", async () => {
    const run = await runSeed(stack!.urls.graphql);
    expect(run.stderr, run.stdout).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Wrote \d+ events/);

    // The script waits for the read models before it exits, so no minPosition here.
    first = (await graphql<Shop>(SHOP)).data;
    expect(first.categories).toHaveLength(DEMO_CATEGORIES.length);
    expect(first.categories.filter((c) => c.parentId === null)).toHaveLength(5);
    const categoryIds = new Set(first.categories.map((c) => c.id));
    const parentIds = new Set(first.categories.map((c) => c.parentId));
    expect(first.products.length).toBeGreaterThanOrEqual(50);
    expect(first.products).toHaveLength(DEMO_PRODUCTS.length);
    for (const product of first.products) {
      expect(categoryIds.has(product.categoryId), product.name).toBe(true);
      expect(parentIds.has(product.categoryId), `${product.name} is on a leaf`).toBe(false);
      expect(product.price).toMatch(/^\d+\.\d{2}$/);
    }
    const byName = new Map(first.products.map((p) => [p.name, p]));
    expect(byName.get("Aurora ANC Over-Ear Headphones")?.price).toBe("229.00"); // after two price changes
    expect(byName.get("Monstera Deliciosa (40 cm)")?.stockQuantity).toBe(0); // after a stock update

    expect(first.orders.length).toBeGreaterThanOrEqual(10);
    expect(first.orders).toHaveLength(DEMO_ORDERS.length);
    // The script waits for the sagas too: every order ended confirmed or cancelled (cancelled by its
    // user, or undone by its saga: the orders whose userId forces a refusal, and the demo's random failures).
    for (const order of first.orders) expect(["confirmed", "cancelled"], order.userId).toContain(order.status);
    const undone = DEMO_ORDERS.filter((o) => o.cancelReason || /#(charge|arrange)=[A-Z_]+$/.test(o.userId)).map((o) => o.userId);
    for (const userId of undone) expect(first.orders.find((o) => o.userId === userId)?.status, userId).toBe("cancelled");
    expect(first.orders.filter((o) => o.status === "confirmed").length).toBeGreaterThan(DEMO_ORDERS.length / 2);
    expect(first.products.every((p) => p.reservedQuantity === 0)).toBe(true);
    const productIds = new Set(first.products.map((p) => p.id));
    for (const order of first.orders) for (const item of order.items) expect(productIds.has(item.productId)).toBe(true);

    expect(first.eventStoreStats.totalEvents).toBeGreaterThanOrEqual(first.categories.length + first.products.length + first.orders.length);
  });

  it("writes nothing when run again: same ids, same event count", async () => {
    expect(first, "needs the first run").toBeDefined();
    const run = await runSeed(stack!.urls.graphql);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/Replay: .*nothing was written/);

    const again = (await graphql<Shop>(SHOP)).data;
    expect(again.eventStoreStats.totalEvents).toBe(first.eventStoreStats.totalEvents);
    const ids = (shop: Shop) => ({
      categories: shop.categories.map((c) => c.id).sort(),
      products: shop.products.map((p) => p.id).sort(),
      orders: shop.orders.map((o) => o.id).sort(),
    });
    expect(ids(again)).toEqual(ids(first));
  });

  it("reports a GraphQL error with its code, in one line", async () => {
    const createProduct = `mutation SeedProduct($input: CreateProductInput!) { createProduct(input: $input) { id } }`;
    const input = { name: "Orphan", categoryId: "01890000-0000-7000-8000-000000000000", price: "1.00", stockQuantity: 1 };
    const attempt = graphql(createProduct, { input });
    await expect(attempt).rejects.toBeInstanceOf(SeedError);
    await expect(attempt).rejects.toThrow(/^SeedProduct failed: .*01890000-0000-7000-8000-000000000000.* \[CATEGORY_NOT_FOUND\]$/);
  });
});

describe("npm run seed without a running stack", () => {
  it("says so in one line and exits 1", async () => {
    const run = await runSeed(`http://127.0.0.1:${await findFreePort()}/graphql`);
    expect(run.code).toBe(1);
    const lines = run.stderr.split("\n").filter((line) => line !== "");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^Cannot reach the GraphQL API at http:\/\/127\.0\.0\.1:\d+\/graphql \(ECONNREFUSED\): is `npm start` running\?$/);
  });
});
