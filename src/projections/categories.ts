import type { CategoryEvent } from "../domain/category/category.ts";
import type { StoredEvent } from "../event-store/index.ts";
import type { Projection } from "./projection.ts";
import type { RowChange } from "./row-patches.ts";

export const categoriesProjection: Projection = {
  name: "categories",
  eventTypes: ["category.created", "category.updated", "category.deleted"],
  table: "query.categories",
  rowChange: categoryRowChange,
};

function categoryRowChange(stored: StoredEvent): RowChange {
  const event = { type: stored.type, data: stored.data } as CategoryEvent;
  const at = stored.occurredAt.toISOString();
  const base = { id: event.data.id, version: stored.version };
  switch (event.type) {
    case "category.created": {
      const { name, description, parentId } = event.data;
      return { ...base, creates: true, values: { name, description, parent_id: parentId, active: true, created_at: at, updated_at: at } };
    }
    case "category.updated": {
      const { name, description, parentId } = event.data;
      const values: Record<string, unknown> = { updated_at: at };
      if (name !== undefined) values.name = name;
      if (description !== undefined) values.description = description;
      if (parentId !== undefined) values.parent_id = parentId;
      return { ...base, creates: false, values };
    }
    case "category.deleted":
      return { ...base, creates: false, values: { active: false, updated_at: at } };
  }
}
