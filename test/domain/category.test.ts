import { describe, it } from "vitest";
import { categoryDecider, type CategoryEvent } from "../../src/domain/category/category.ts";
import { deciderSpec } from "./decider-spec.ts";

const spec = deciderSpec(categoryDecider);
const id = "0190a000-0000-7000-8000-000000000001";
const parentId = "0190a000-0000-7000-8000-000000000002";
const childId = "0190a000-0000-7000-8000-000000000003";

const created: CategoryEvent = { type: "category.created", data: { id, name: "Books", description: null, parentId: null } };
const deleted: CategoryEvent = { type: "category.deleted", data: { id } };
const activeParent = { parent: { id: parentId, active: true, ancestorIds: [] } };

describe("createCategory", () => {
  it("creates with a trimmed name and description", () =>
    spec
      .given([])
      .when({ type: "createCategory", data: { id, name: "  Books ", description: "  All books " } })
      .then([{ type: "category.created", data: { id, name: "Books", description: "All books", parentId: null } }]));

  it("blank description becomes null", () =>
    spec
      .given([])
      .when({ type: "createCategory", data: { id, name: "Books", description: "   " } })
      .then([{ type: "category.created", data: { id, name: "Books", description: null, parentId: null } }]));

  it("requires a name", () => spec.given([]).when({ type: "createCategory", data: { id, name: "   " } }).thenThrows("VALIDATION_ERROR", { field: "name" }));

  it("accepts 100 characters and rejects 101", () => {
    spec.given([]).when({ type: "createCategory", data: { id, name: "x".repeat(100) } }).then([
      { type: "category.created", data: { id, name: "x".repeat(100), description: null, parentId: null } },
    ]);
    spec.given([]).when({ type: "createCategory", data: { id, name: "x".repeat(101) } }).thenThrows("VALIDATION_ERROR", { max: 100 });
  });

  it("counts characters as people do: 60 emoji are 60 characters", () =>
    spec
      .given([])
      .when({ type: "createCategory", data: { id, name: "😀".repeat(60) } })
      .then([{ type: "category.created", data: { id, name: "😀".repeat(60), description: null, parentId: null } }]));

  it("rejects a name of zero-width characters or with a terminal escape", () => {
    spec.given([]).when({ type: "createCategory", data: { id, name: "\u200b\u200b" } }).thenThrows("VALIDATION_ERROR", { field: "name" });
    spec.given([]).when({ type: "createCategory", data: { id, name: "\u001b[2JBooks" } }).thenThrows("VALIDATION_ERROR", { field: "name" });
  });

  it("rejects an existing id", () => spec.given([created]).when({ type: "createCategory", data: { id, name: "Again" } }).thenThrows("CATEGORY_EXISTS"));

  it("creates under an active parent", () =>
    spec
      .given([])
      .when({ type: "createCategory", data: { id, name: "Novels", parentId } }, activeParent)
      .then([{ type: "category.created", data: { id, name: "Novels", description: null, parentId } }]));

  it("rejects a missing parent", () =>
    spec.given([]).when({ type: "createCategory", data: { id, name: "Novels", parentId } }, { parent: null }).thenThrows("PARENT_NOT_FOUND"));

  it("rejects a deleted parent", () =>
    spec
      .given([])
      .when({ type: "createCategory", data: { id, name: "Novels", parentId } }, { parent: { id: parentId, active: false, ancestorIds: [] } })
      .thenThrows("PARENT_DELETED"));

  it("rejects itself as parent", () =>
    spec.given([]).when({ type: "createCategory", data: { id, name: "Loop", parentId: id } }, activeParent).thenThrows("CATEGORY_CYCLE"));

  it("rejects a malformed parent id", () =>
    spec.given([]).when({ type: "createCategory", data: { id, name: "Novels", parentId: "nope" } }).thenThrows("VALIDATION_ERROR"));
});

describe("updateCategory", () => {
  it("records only what changed", () =>
    spec
      .given([created])
      .when({ type: "updateCategory", data: { id, name: "Books", description: "Paper" } })
      .then([{ type: "category.updated", data: { id, description: "Paper" } }]));

  it("changes nothing when nothing differs", () => spec.given([created]).when({ type: "updateCategory", data: { id, name: " Books " } }).then([]));

  it("moves under an active parent and back to the root", () => {
    const moved: CategoryEvent = { type: "category.updated", data: { id, parentId } };
    spec.given([created]).when({ type: "updateCategory", data: { id, parentId } }, activeParent).then([moved]);
    spec.given([created, moved]).when({ type: "updateCategory", data: { id, parentId: null } }).then([
      { type: "category.updated", data: { id, parentId: null } },
    ]);
  });

  it("rejects moving under its own descendant", () =>
    spec
      .given([created])
      .when({ type: "updateCategory", data: { id, parentId: childId } }, { parent: { id: childId, active: true, ancestorIds: [parentId, id] } })
      .thenThrows("CATEGORY_CYCLE"));

  it("rejects a blank name", () => spec.given([created]).when({ type: "updateCategory", data: { id, name: " " } }).thenThrows("VALIDATION_ERROR"));

  it("rejects an unknown category", () => spec.given([]).when({ type: "updateCategory", data: { id, name: "X" } }).thenThrows("CATEGORY_NOT_FOUND"));

  it("rejects a deleted category", () =>
    spec.given([created, deleted]).when({ type: "updateCategory", data: { id, name: "X" } }).thenThrows("CATEGORY_DELETED"));
});

describe("deleteCategory", () => {
  it("deletes softly", () =>
    spec.given([created]).when({ type: "deleteCategory", data: { id } }, { activeChildCount: 0, activeProductCount: 0 }).then([deleted]));

  it("rejects while it has active children", () =>
    spec.given([created]).when({ type: "deleteCategory", data: { id } }, { activeChildCount: 2 }).thenThrows("CATEGORY_HAS_CHILDREN", { children: 2 }));

  it("rejects while it has active products", () =>
    spec
      .given([created])
      .when({ type: "deleteCategory", data: { id } }, { activeChildCount: 0, activeProductCount: 3 })
      .thenThrows("CATEGORY_HAS_PRODUCTS", { id, products: 3 }));

  it("rejects an unknown or already deleted category", () => {
    spec.given([]).when({ type: "deleteCategory", data: { id } }).thenThrows("CATEGORY_NOT_FOUND");
    spec.given([created, deleted]).when({ type: "deleteCategory", data: { id } }).thenThrows("CATEGORY_DELETED");
  });
});
