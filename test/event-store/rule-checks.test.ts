// The cross-aggregate rules re-checked inside the append statement
// (migrations/0002, 0003, 0005) raise the same domain errors as the deciders.
import { randomUUID } from "node:crypto";
import type { PoolClient } from "@neondatabase/serverless";
import { afterAll, describe, expect, it } from "vitest";
import { translateRuleViolation } from "../../src/commands/rule-violations.ts";
import { testPool } from "../support/database.ts";

// Two connections hold transactions open while a third sets up rows and watches.
const db = testPool(4);
afterAll(() => db.end());

async function category(active: boolean, parentId: string | null = null): Promise<string> {
  const id = randomUUID();
  await db.query("INSERT INTO command.categories (id, name, parent_id, active, version) VALUES ($1, 'Rule check', $2, $3, 1)", [id, parentId, active]);
  return id;
}

async function ruleError(sql: string, params: unknown[]) {
  const error = await db.query(sql, params).then(
    () => undefined,
    (e: unknown) => e,
  );
  return translateRuleViolation(error) as { code?: string; details?: Record<string, unknown> } | undefined;
}

describe("rule checks in the append statement", () => {
  it("a product's category must exist and be active", async () => {
    const missing = randomUUID();
    expect(await ruleError("SELECT command.check_product_category($1)", [missing])).toMatchObject({
      code: "CATEGORY_NOT_FOUND",
      details: { categoryId: missing },
    });
    expect(await ruleError("SELECT command.check_product_category($1)", [await category(false)])).toMatchObject({ code: "CATEGORY_DELETED" });
    expect(await ruleError("SELECT command.check_product_category($1)", [await category(true)])).toBeUndefined();
  });

  it("a parent must exist, be active, and not be a descendant", async () => {
    const child = randomUUID();
    expect(await ruleError("SELECT command.check_category_parent($1, $2)", [child, randomUUID()])).toMatchObject({ code: "PARENT_NOT_FOUND" });
    expect(await ruleError("SELECT command.check_category_parent($1, $2)", [child, await category(false)])).toMatchObject({ code: "PARENT_DELETED" });
    const root = await category(true);
    const below = await category(true, root);
    expect(await ruleError("SELECT command.check_category_parent($1, $2)", [root, below])).toMatchObject({ code: "CATEGORY_CYCLE" });
    expect(await ruleError("SELECT command.check_category_parent($1, $2)", [child, below])).toBeUndefined();
  });

  it("a category with active children cannot be deleted", async () => {
    const parent = await category(true);
    await category(true, parent);
    expect(await ruleError("SELECT command.check_category_deletable($1)", [parent])).toMatchObject({ code: "CATEGORY_HAS_CHILDREN", details: { children: 1 } });
    expect(await ruleError("SELECT command.check_category_deletable($1)", [await category(true)])).toBeUndefined();
  });

  it("a category with active products cannot be deleted; deleted products do not count", async () => {
    const withProduct = await category(true);
    await product(withProduct, true);
    await product(withProduct, false);
    expect(await ruleError("SELECT command.check_category_deletable($1)", [withProduct])).toMatchObject({
      code: "CATEGORY_HAS_PRODUCTS",
      details: { id: withProduct, products: 1 },
    });
    const onlyDeleted = await category(true);
    await product(onlyDeleted, false);
    expect(await ruleError("SELECT command.check_category_deletable($1)", [onlyDeleted])).toBeUndefined();
  });
});

// Deterministic interleavings of two append transactions, each on its own
// connection: the first runs its check and holds its transaction open, the
// second runs its check, and we look at whether the second waits.
describe("category moves are serialized", () => {
  const move = (tx: PoolClient, id: string, parentId: string) => tx.query("SELECT command.check_category_move($1, $2)", [id, parentId]);
  const setParent = (tx: PoolClient, id: string, parentId: string) =>
    tx.query("UPDATE command.categories SET parent_id = $2, version = version + 1 WHERE id = $1", [id, parentId]);

  /**
   * Both checks run before either row changes, as in two append statements
   * that race: `first` checks, `second` checks, then `first` moves its row and
   * commits. A second check that does not wait is rolled back before `first`
   * moves, so the old, unserialized check fails the test instead of deadlocking it.
   */
  async function interleave(first: [string, string], second: [string, string]) {
    const [tx1, tx2] = [await db.connect(), await db.connect()];
    try {
      await tx1.query("BEGIN");
      await tx2.query("BEGIN");
      await move(tx1, ...first);
      const pid = (await tx2.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0]!.pid;
      const secondCheck = move(tx2, ...second).then(
        () => undefined,
        (e: unknown) => translateRuleViolation(e) as { code?: string },
      );
      const waited = await waitsForLock(pid, secondCheck);
      if (!waited) await tx2.query("ROLLBACK");
      await setParent(tx1, ...first);
      await tx1.query("COMMIT");
      const secondError = await secondCheck;
      if (waited) await tx2.query("ROLLBACK");
      return { waited, secondError };
    } finally {
      tx1.release();
      tx2.release();
    }
  }

  /** True once the backend waits for a lock; false if `work` settles first. */
  async function waitsForLock(pid: number, work: Promise<unknown>): Promise<boolean> {
    let settled = false;
    void work.finally(() => (settled = true));
    for (let i = 0; i < 200 && !settled; i++) {
      const { rows } = await db.query<{ wait: string | null }>("SELECT wait_event_type AS wait FROM pg_stat_activity WHERE pid = $1", [pid]);
      if (rows[0]?.wait === "Lock") return true;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    return false;
  }

  it("two moves that together close a loop (write skew): the second waits, then gets CATEGORY_CYCLE", async () => {
    // A > D and B > C; A under C and B under D would make A > D > B > C > A.
    const [a, b] = [await category(true), await category(true)];
    const [d, c] = [await category(true, a), await category(true, b)];
    const { waited, secondError } = await interleave([a, c], [b, d]);
    expect(waited).toBe(true);
    expect(secondError).toMatchObject({ code: "CATEGORY_CYCLE" });
    expect(await cycles()).toBe(0);
  });

  it("A under B against B under A: the second waits, then gets CATEGORY_CYCLE (no deadlock)", async () => {
    const [a, b] = [await category(true), await category(true)];
    const { waited, secondError } = await interleave([a, b], [b, a]);
    expect(waited).toBe(true);
    expect(secondError).toMatchObject({ code: "CATEGORY_CYCLE" });
  });

  it("a held move does not hold back creates under a parent", async () => {
    const [a, b, other] = [await category(true), await category(true), await category(true)];
    const tx = await db.connect();
    try {
      await tx.query("BEGIN");
      await move(tx, a, b);
      // Would hang until the test times out if creates took the move lock.
      expect(await ruleError("SELECT command.check_category_parent($1, $2)", [randomUUID(), other])).toBeUndefined();
      await tx.query("ROLLBACK");
    } finally {
      tx.release();
    }
  });
});

async function product(categoryId: string, active: boolean): Promise<string> {
  const id = randomUUID();
  await db.query(
    `INSERT INTO command.products (id, name, category_id, price_amount, stock_quantity, reserved_quantity, active, version)
     VALUES ($1, 'Rule check', $2, 100, 1, 0, $3, 1)`,
    [id, categoryId, active],
  );
  return id;
}

/** Categories that are their own ancestor, anywhere in command.categories. */
async function cycles(): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    `WITH RECURSIVE walk(start, id, depth) AS (
       SELECT id, parent_id, 1 FROM command.categories WHERE parent_id IS NOT NULL
       UNION ALL
       SELECT w.start, c.parent_id, w.depth + 1 FROM walk w JOIN command.categories c ON c.id = w.id
       WHERE c.parent_id IS NOT NULL AND w.id <> w.start AND w.depth < 1000
     )
     SELECT count(DISTINCT start)::int AS n FROM walk WHERE id = start`,
  );
  return rows[0]!.n;
}
