import { describe, expect, it } from "vitest";
import { errorCode, gql, gqlData, whileStreamLocked, withDb, type GraphQLResponse } from "./support.ts";

describe("category concurrency", () => {
  it("50 concurrent updates, one of them invalid: the others succeed with contiguous versions, in a few append statements", async () => {
    const { createCategory } = await gqlData(`mutation { createCategory(input: { name: "Hot" }) { id } }`);
    const id = createCategory.id;
    const update = (name: string) =>
      gql(`mutation($id: ID!, $name: String!) { updateCategory(input: { id: $id, name: $name }) { version } }`, { id, name });
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => update(i === 25 ? "x".repeat(101) : `Hot ${i}`)));
    expect(results.map(errorCode).filter(Boolean)).toEqual(["VALIDATION_ERROR"]);
    const versions = results.flatMap((r) => (r.errors ? [] : [r.data!.updateCategory.version as number])).sort((a, b) => a - b);
    expect(versions).toEqual(Array.from({ length: 49 }, (_, i) => i + 2));

    const stored = await withDb(async (db) =>
      (
        await db.query<{ versions: number[]; appends: number }>(
          `SELECT array_agg(event_version ORDER BY event_version) AS versions, count(DISTINCT transaction_id)::int AS appends
           FROM event_store.events WHERE aggregate_id = $1 AND event_version > 1`,
          [id],
        )
      ).rows[0]!,
    );
    expect(stored.versions).toEqual(Array.from({ length: 49 }, (_, i) => i + 2));
    // Each append statement is one transaction. While one is in flight the
    // others queue, and a batch takes up to 100: measured 2 statements on an
    // idle machine; 8 leaves room for a loaded one, and one per command (49)
    // would fail it.
    expect(stored.appends).toBeLessThanOrEqual(8);
  });

  it("a concurrent delete of a parent and create of a child never leaves an active child under a deleted parent", async () => {
    for (let round = 0; round < 10; round++) {
      const { createCategory: parent } = await gqlData(`mutation { createCategory(input: { name: "Racy parent" }) { id } }`);
      const [deleted, child] = await Promise.all([
        gql(`mutation($id: ID!) { deleteCategory(input: { id: $id }) { id } }`, { id: parent.id }),
        gql(`mutation($id: ID!) { createCategory(input: { name: "Racy child", parentId: $id }) { id } }`, { id: parent.id }),
      ]);
      // Exactly one of them may win.
      expect([deleted.errors ? "child" : "delete", child.errors ? "delete" : "child"]).toSatisfy(
        ([a, b]: string[]) => a === b,
      );
      const orphans = await withDb(async (db) =>
        (
          await db.query(
            `SELECT count(*)::int AS n FROM command.categories c JOIN command.categories p ON p.id = c.parent_id
             WHERE c.active AND NOT p.active AND p.id = $1`,
            [parent.id],
          )
        ).rows[0].n,
      );
      expect(orphans).toBe(0);
    }
  });

  it("two moves that together would close a loop (A > D, B > C; A under C, B under D): one gets CATEGORY_CYCLE, never a cycle", async () => {
    for (let round = 0; round < 20; round++) {
      const [a, b] = await Promise.all([createCategory("Skew A"), createCategory("Skew B")]);
      const [d, c] = await Promise.all([createCategory("Skew D", a), createCategory("Skew C", b)]);
      const results = await Promise.all([move(a, c), move(b, d)]);
      expect(outcomes(results), `round ${round}`).toEqual(["CATEGORY_CYCLE", "moved"]);
      expect(await categoriesInCycles()).toEqual([]);
    }
  }, 90_000);

  it("A under B against B under A: one gets CATEGORY_CYCLE, never UNAVAILABLE from a deadlock", async () => {
    for (let round = 0; round < 20; round++) {
      const [a, b] = await Promise.all([createCategory("Pair A"), createCategory("Pair B")]);
      const results = await Promise.all([move(a, b), move(b, a)]);
      expect(outcomes(results), `round ${round}`).toEqual(["CATEGORY_CYCLE", "moved"]);
      expect(await categoriesInCycles()).toEqual([]);
    }
  }, 90_000);
});

describe("category delete against product create", () => {
  it("a product created after the delete looked up its products, before it appends, is still counted: CATEGORY_HAS_PRODUCTS", async () => {
    const categoryId = await createCategory("Parked shelf");
    const { deleting } = await whileStreamLocked(categoryId, async (lock) => {
      const deleting = gql(`mutation($id: ID!) { deleteCategory(input: { id: $id }) { id } }`, { id: categoryId });
      await lock.waiter();
      await gqlData(`mutation($input: CreateProductInput!) { createProduct(input: $input) { id } }`, {
        input: { name: "Slipped in", categoryId, price: "1.00", stockQuantity: 1 },
      });
      return { deleting };
    });
    expect(errorCode(await deleting)).toBe("CATEGORY_HAS_PRODUCTS");
    expect(await strandedProducts(categoryId)).toBe(0);
  });

  it("a concurrent delete of a category and create of a product in it never leaves an active product in a deleted category", async () => {
    for (let round = 0; round < 20; round++) {
      const categoryId = await createCategory("Racy shelf");
      const [deleted, created] = await Promise.all([
        gql(`mutation($id: ID!) { deleteCategory(input: { id: $id }) { id } }`, { id: categoryId }),
        gql(`mutation($input: CreateProductInput!) { createProduct(input: $input) { id } }`, {
          input: { name: "Racy product", categoryId, price: "1.00", stockQuantity: 1 },
        }),
      ]);
      // Exactly one wins: the product is counted by the delete, or finds the category deleted.
      const outcome = [deleted.errors ? errorCode(deleted) : "deleted", created.errors ? errorCode(created) : "created"];
      expect([["deleted", "CATEGORY_DELETED"], ["CATEGORY_HAS_PRODUCTS", "created"]], `round ${round}`).toContainEqual(outcome);
      expect(await strandedProducts(categoryId), `round ${round}`).toBe(0);
    }
  }, 90_000);
});

async function createCategory(name: string, parentId: string | null = null): Promise<string> {
  const { createCategory } = await gqlData(`mutation($name: String!, $parentId: ID) { createCategory(input: { name: $name, parentId: $parentId }) { id } }`, {
    name,
    parentId,
  });
  return createCategory.id;
}

function move(id: string, parentId: string) {
  return gql(`mutation($id: ID!, $parentId: ID) { updateCategory(input: { id: $id, parentId: $parentId }) { id } }`, { id, parentId });
}

/** Each result as "moved" or its error code, sorted so the order of the race does not matter. */
function outcomes(results: GraphQLResponse[]): string[] {
  return results.map((result) => (result.errors ? (errorCode(result) ?? result.errors[0]!.message) : "moved")).sort();
}

/** Active products in the category when it is deleted. */
function strandedProducts(categoryId: string): Promise<number> {
  return withDb(async (db) => {
    const { rows } = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM command.products p JOIN command.categories c ON c.id = p.category_id
       WHERE p.active AND NOT c.active AND c.id = $1`,
      [categoryId],
    );
    return rows[0]!.n;
  });
}

/** Every category in command.categories that is its own ancestor. */
function categoriesInCycles(): Promise<string[]> {
  return withDb(async (db) => {
    const { rows } = await db.query<{ id: string }>(
      `WITH RECURSIVE walk(start, id, depth) AS (
         SELECT id, parent_id, 1 FROM command.categories WHERE parent_id IS NOT NULL
         UNION ALL
         SELECT w.start, c.parent_id, w.depth + 1 FROM walk w JOIN command.categories c ON c.id = w.id
         WHERE c.parent_id IS NOT NULL AND w.id <> w.start AND w.depth < 1000
       )
       SELECT DISTINCT start::text AS id FROM walk WHERE id = start`,
    );
    return rows.map((row) => row.id);
  });
}
