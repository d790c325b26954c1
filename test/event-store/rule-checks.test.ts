// The cross-aggregate rules re-checked inside the append statement
// (migrations/0002, 0003) raise the same domain errors as the deciders.
import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { translateRuleViolation } from "../../src/commands/rule-violations.ts";
import { testPool } from "../support/database.ts";

const db = testPool(2);
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
});
