// Read-your-writes through GraphQL. A held or failed projection makes "not
// there yet" deterministic: the read starts while the read model is behind,
// and the projection is let go while the read waits. (A stopped one is
// refused at once, PROJECTION_STOPPED.)
import { env } from "cloudflare:workers";
import { describe, expect, it, onTestFinished } from "vitest";
import { errorCode, gql, gqlData, sleep, withDb } from "../workers/support.ts";
import { appendToStream } from "../../src/event-store/index.ts";
import { caughtUp, holdProjection, projectionStatus, waitForStatus } from "./support.ts";

const stop = (name: string) => gqlData(`mutation($n: String!) { stopProjection(input: { name: $n }) { status } }`, { n: name });
const resume = (name: string) => gqlData(`mutation($n: String!) { resumeProjection(input: { name: $n }) { status } }`, { n: name });
/** Held until released, and at the latest when the test ends, passed or not. */
async function hold(names: string[]): Promise<Held> {
  const held = await Promise.all(names.map(holdProjection));
  onTestFinished(() => release(held).then(() => undefined));
  return held;
}
type Held = { release(): Promise<void> }[];
const releaseLater = (held: Held, ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)).then(() => release(held));
/** Idempotent, so a finally block can let go of what a failed test still holds. */
const release = (held: Held) => Promise.all(held.map((h) => h.release()));

async function createShop(tag: string) {
  const category = await gqlData(`mutation($n: String!) { createCategory(input: { name: $n }) { id } }`, { n: `Cat ${tag}` });
  const product = await gqlData(
    `mutation($n: String!, $c: ID!) { createProduct(input: { name: $n, categoryId: $c, price: "2.00", stockQuantity: 1 }) { id } }`,
    { n: `Lamp ${tag}`, c: category.createCategory.id },
  );
  return { categoryId: category.createCategory.id as string, productId: product.createProduct.id as string, position: product.position! };
}

/** Committed transactions in the test database, as Postgres counts them (flushed when a session ends). */
async function committedTransactions(): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, 1_200));
  return withDb(async (db) => {
    await db.query("SELECT pg_stat_clear_snapshot()");
    return Number((await db.query("SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()")).rows[0].xact_commit);
  });
}

describe("minPosition covers every read model a query touches", () => {
  it("product(id, minPosition) { category } and products(minPosition) { category } wait for the categories read model, not only products", async () => {
    // The categories projection fails at a poison event (a category without a
    // name) and is moved past it while the read waits; the others keep going.
    const poisonId = crypto.randomUUID();
    await withDb((db) => appendToStream(db, "category", poisonId, [{ type: "category.created", data: { id: poisonId, name: null } }]));
    const skip = async () => {
      const { failedSequence } = await projectionStatus("categories");
      if (failedSequence) await gqlData(`mutation($s: String!) { skipEvent(input: { projection: "categories", globalSequence: $s }) { status } }`, { s: failedSequence });
    };
    await env.PROJECTOR.getByName("categories").wake("categories");
    await waitForStatus("categories", (s) => s.status === "failed");
    onTestFinished(skip);
    const { productId, categoryId, position } = await createShop(`nested ${crypto.randomUUID().slice(0, 6)}`);
    // The products read model has it; the categories one does not yet.
    expect((await gqlData(`query($id: ID!, $p: String) { product(id: $id, minPosition: $p) { id } }`, { id: productId, p: position })).product).toBeTruthy();
    const [read, list] = await Promise.all([
      gqlData(`query($id: ID!, $p: String) { product(id: $id, minPosition: $p) { category { name parent { id } children { id } } } }`, {
        id: productId,
        p: position,
      }),
      // A list reads its products' categories in its own statement: that too must wait.
      gqlData(`query($c: ID!, $p: String) { products(categoryId: $c, minPosition: $p) { category { id name } } }`, { c: categoryId, p: position }),
      sleep(300).then(skip),
    ]);
    expect(read.product.category).toMatchObject({ name: expect.stringMatching(/^Cat nested/), parent: null, children: [] });
    expect(list.products).toEqual([{ category: { id: categoryId, name: expect.stringMatching(/^Cat nested/) } }]);
    await waitForStatus("categories", caughtUp);
  });

  it("searchProducts and searchCategories wait for minPosition and for X-Min-Position", async () => {
    for (const how of ["argument", "header"]) {
      const tag = `Zs${crypto.randomUUID().slice(0, 6)}`;
      const held = await hold(["categories", "products"]);
      const { position } = await createShop(tag);
      const query =
        how === "argument"
          ? `query($q: String!, $p: String) { searchProducts(query: $q, minPosition: $p) { name } searchCategories(query: $q, minPosition: $p) { name } }`
          : `query($q: String!) { searchProducts(query: $q) { name } searchCategories(query: $q) { name } }`;
      const [found] = await Promise.all([
        gqlData(query, { q: tag, p: position }, how === "header" ? { "x-min-position": position } : {}),
        releaseLater(held, 300),
      ]);
      expect(found, how).toMatchObject({ searchProducts: [{ name: `Lamp ${tag}` }], searchCategories: [{ name: `Cat ${tag}` }] });
    }
    await waitForStatus("products", caughtUp);
  });
});

describe("waiting is cheap and bounded", () => {
  it("a position ahead of the log's head is refused at once", async () => {
    const id = "0190a000-0000-7000-8000-00000000f00d";
    for (const position of ["999999999999-1", "18446744073709551615-1", "99999999999999999999-1"]) {
      const started = Date.now();
      const result = await gql(`query($id: ID!, $p: String) { product(id: $id, minPosition: $p) { id } category(id: $id) { id } }`, { id, p: position }, {
        "x-min-position": position,
      });
      expect(errorCode(result), position).toBe("VALIDATION_ERROR");
      expect(result.errors![0]!.extensions!.details).toMatchObject({ field: "minPosition", reason: "POSITION_AHEAD_OF_LOG" });
      expect(Date.now() - started).toBeLessThan(1_000);
    }
  });

  it("20 fields waiting on one position cost one polling loop with backoff, not one loop each", async () => {
    const held = await hold(["categories"]);
    const category = await gqlData(`mutation { createCategory(input: { name: "Awaited" }) { id } }`);
    const fields = Array.from({ length: 20 }, (_, i) => `c${i}: category(id: $id, minPosition: $p) { name }`).join(" ");
    const before = await committedTransactions();
    const [read] = await Promise.all([
      gqlData(`query($id: ID!, $p: String) { ${fields} }`, { id: category.createCategory.id, p: category.position }),
      releaseLater(held, 1_500),
    ]);
    const spent = (await committedTransactions()) - before;
    expect(read.c19).toEqual({ name: "Awaited" });
    // Polling every 15 ms per field was about 2,000 transactions here.
    expect(spent).toBeLessThan(150);
    await waitForStatus("categories", caughtUp);
  });

  it("a read model an admin stopped is refused at once with PROJECTION_STOPPED, and served again once resumed", async () => {
    await stop("categories");
    try {
      const category = await gqlData(`mutation { createCategory(input: { name: "Stopped before it" }) { id } }`);
      const query = `query($id: ID!, $p: String) { category(id: $id, minPosition: $p) { name } }`;
      const started = Date.now();
      const refused = await gql(query, { id: category.createCategory.id, p: category.position });
      expect(errorCode(refused)).toBe("PROJECTION_STOPPED");
      expect(refused.errors![0]!.extensions!.details).toMatchObject({ projection: "categories", position: category.position });
      // It used to wait the whole 5 s and then answer UNAVAILABLE.
      expect(Date.now() - started).toBeLessThan(1_000);
      await resume("categories");
      expect((await gqlData(query, { id: category.createCategory.id, p: category.position })).category).toEqual({ name: "Stopped before it" });
    } finally {
      await resume("categories");
    }
    await waitForStatus("categories", caughtUp);
  });
});
