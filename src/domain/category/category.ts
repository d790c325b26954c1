import type { Decider, DomainCommand, DomainEvent } from "../shared/decider.ts";
import { IllegalStateError, NotFoundError } from "../shared/errors.ts";
import { changedOptionalText, changedText, optionalText, requiredId, requiredText } from "../shared/validation.ts";

export type CreateCategory = DomainCommand<"createCategory", { id: string; name: string; description?: string | null; parentId?: string | null }>;
/** Absent fields stay as they are; `parentId: null` makes the category a root. */
export type UpdateCategory = DomainCommand<"updateCategory", { id: string; name?: string | null; description?: string | null; parentId?: string | null }>;
export type DeleteCategory = DomainCommand<"deleteCategory", { id: string }>;
export type CategoryCommand = CreateCategory | UpdateCategory | DeleteCategory;

export type CategoryCreated = DomainEvent<"category.created", { id: string; name: string; description: string | null; parentId: string | null }>;
export type CategoryUpdated = DomainEvent<"category.updated", { id: string; name?: string; description?: string | null; parentId?: string | null }>;
export type CategoryDeleted = DomainEvent<"category.deleted", { id: string }>;
export type CategoryEvent = CategoryCreated | CategoryUpdated | CategoryDeleted;

export type CategoryState =
  | { status: "absent" }
  | { status: "active" | "deleted"; id: string; name: string; description: string | null; parentId: string | null };

/** Facts about other categories, looked up before deciding and re-checked with row locks at append. */
export interface CategoryContext {
  /** The requested parent: null when it does not exist. Only looked up when a parent is named. */
  parent?: { id: string; active: boolean; ancestorIds: string[] } | null;
  /** Only looked up for deleteCategory. */
  activeChildCount?: number;
  /** Active products in the category; only looked up for deleteCategory. */
  activeProductCount?: number;
}

const NAME = { field: "name", max: 100 };
const DESCRIPTION = { field: "description", max: 1000, multiline: true };

export const categoryDecider: Decider<CategoryCommand, CategoryEvent, CategoryState, CategoryContext> = {
  aggregateType: "category",
  stateVersion: 1,
  initialState: () => ({ status: "absent" }),
  evolve,
  decide,
};

function decide(command: CategoryCommand, state: CategoryState, context: CategoryContext): CategoryEvent[] {
  switch (command.type) {
    case "createCategory": {
      const id = requiredId(command.data.id, "id");
      if (state.status !== "absent") throw new IllegalStateError(`category ${id} already exists`, { id }, "CATEGORY_EXISTS");
      const name = requiredText(command.data.name, NAME);
      const description = optionalText(command.data.description, DESCRIPTION);
      const parentId = command.data.parentId ? requiredId(command.data.parentId, "parentId") : null;
      if (parentId) checkParent(id, parentId, context);
      return [{ type: "category.created", data: { id, name, description, parentId } }];
    }
    case "updateCategory": {
      const current = requireActive(state, command.data.id);
      const changes: CategoryUpdated["data"] = { id: current.id };
      const name = changedText(command.data.name, current.name, NAME);
      if (name !== undefined) changes.name = name;
      const description = changedOptionalText(command.data.description, current.description, DESCRIPTION);
      if (description !== undefined) changes.description = description;
      if (command.data.parentId !== undefined) {
        const parentId = command.data.parentId === null ? null : requiredId(command.data.parentId, "parentId");
        if (parentId !== current.parentId) {
          if (parentId) checkParent(current.id, parentId, context);
          changes.parentId = parentId;
        }
      }
      return Object.keys(changes).length > 1 ? [{ type: "category.updated", data: changes }] : [];
    }
    case "deleteCategory": {
      const current = requireActive(state, command.data.id);
      const children = context.activeChildCount ?? 0;
      if (children > 0) {
        throw new IllegalStateError(`category ${current.id} still has ${children} active subcategories`, { id: current.id, children }, "CATEGORY_HAS_CHILDREN");
      }
      const products = context.activeProductCount ?? 0;
      if (products > 0) {
        throw new IllegalStateError(`category ${current.id} still has ${products} active products`, { id: current.id, products }, "CATEGORY_HAS_PRODUCTS");
      }
      return [{ type: "category.deleted", data: { id: current.id } }];
    }
  }
}

function evolve(state: CategoryState, event: CategoryEvent): CategoryState {
  switch (event.type) {
    case "category.created":
      return { status: "active", ...event.data };
    case "category.updated":
      return state.status === "absent" ? state : { ...state, ...event.data };
    case "category.deleted":
      return state.status === "absent" ? state : { ...state, status: "deleted" };
  }
}

function requireActive(state: CategoryState, id: string) {
  if (state.status === "absent") throw new NotFoundError(`category ${id} does not exist`, { id }, "CATEGORY_NOT_FOUND");
  if (state.status === "deleted") throw new IllegalStateError(`category ${id} is deleted`, { id }, "CATEGORY_DELETED");
  return state;
}

function checkParent(id: string, parentId: string, context: CategoryContext): void {
  if (parentId === id) throw new IllegalStateError("a category cannot be its own parent", { id, parentId }, "CATEGORY_CYCLE");
  const parent = context.parent;
  if (!parent) throw new NotFoundError(`parent category ${parentId} does not exist`, { parentId }, "PARENT_NOT_FOUND");
  if (!parent.active) throw new IllegalStateError(`parent category ${parentId} is deleted`, { parentId }, "PARENT_DELETED");
  if (parent.ancestorIds.includes(id)) {
    throw new IllegalStateError(`category ${parentId} is a descendant of ${id}`, { id, parentId }, "CATEGORY_CYCLE");
  }
}
