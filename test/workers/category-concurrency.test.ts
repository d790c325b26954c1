import { describe, expect, it } from "vitest";
import { errorCode, gql, gqlData, withDb } from "./support.ts";

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
});
