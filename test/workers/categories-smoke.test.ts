import { describe, expect, it } from "vitest";
import { gql, gqlData } from "./support.ts";

describe("categories smoke", () => {
  it("creates and reads a category", async () => {
    const created = await gqlData(`mutation { createCategory(input: { name: "  Books " }) { id name version active createdAt } }`);
    expect(created.createCategory).toMatchObject({ name: "Books", version: 1, active: true });
    expect(created.position).toBeTruthy();
    const read = await gqlData(`query($id: ID!, $p: String) { category(id: $id, minPosition: $p) { id name version } }`, {
      id: created.createCategory.id,
      p: created.position,
    });
    expect(read.category).toMatchObject({ name: "Books", version: 1 });
    const bad = await gql(`mutation { createCategory(input: { name: "   " }) { id } }`);
    expect(bad.errors?.[0]?.extensions?.code).toBe("VALIDATION_ERROR");
  });
});
