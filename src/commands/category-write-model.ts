import { sql } from "drizzle-orm";
import {
  categoryDecider,
  type CategoryCommand,
  type CategoryContext,
  type CategoryEvent,
  type CategoryState,
} from "../domain/category/category.ts";
import { isUuid } from "../domain/shared/validation.ts";
import type { Queryable } from "../event-store/index.ts";
import type { AggregateDefinition } from "./aggregate-definition.ts";

export interface CategoryView {
  id: string;
  name: string;
  description: string | null;
  parentId: string | null;
  active: boolean;
  version: number;
}

export const categoryWriteModel: AggregateDefinition<CategoryCommand, CategoryEvent, CategoryState, CategoryContext> = {
  decider: categoryDecider,

  async loadContext(db, command) {
    if (command.type === "deleteCategory") return !isUuid(command.data.id) ? {} : await activeDependents(db, command.data.id);
    // A malformed id is left for decide to reject.
    const parentId = command.data.parentId;
    return isUuid(parentId) ? { parent: await parentFacts(db, parentId) } : {};
  },

  alongside(events, state, version) {
    // Moves first: a move waits for the tree lock (migrations/0005), and must
    // not wait for it while this batch already share-locks a parent that the
    // lock holder is about to update.
    const moves = events.flatMap((event) =>
      event.type === "category.updated" && event.data.parentId
        ? [sql`SELECT command.check_category_move(${event.data.id}::uuid, ${event.data.parentId}::uuid)`]
        : [],
    );
    const others = events.flatMap((event) => {
      if (event.type === "category.deleted") return [sql`SELECT command.check_category_deletable(${event.data.id}::uuid)`];
      return event.type === "category.created" && event.data.parentId
        ? [sql`SELECT command.check_category_parent(${event.data.id}::uuid, ${event.data.parentId}::uuid)`]
        : [];
    });
    const checks = [...moves, ...others];
    if (state.status === "absent") return checks;
    return [
      ...checks,
      sql`INSERT INTO command.categories (id, name, description, parent_id, active, version)
          VALUES (${state.id}::uuid, ${state.name}, ${state.description}, ${state.parentId}::uuid, ${state.status === "active"}, ${version})
          ON CONFLICT (id) DO UPDATE SET name = excluded.name, description = excluded.description, parent_id = excluded.parent_id,
            active = excluded.active, version = excluded.version, updated_at = now()
          WHERE command.categories.version < excluded.version
          RETURNING id`,
    ];
  },

  view(state, version): CategoryView | null {
    if (state.status === "absent") return null;
    const { id, name, description, parentId } = state;
    return { id, name, description, parentId, active: state.status === "active", version };
  },
};

async function parentFacts(db: Queryable, parentId: string): Promise<CategoryContext["parent"]> {
  const { rows } = await db.query<{ id: string; active: boolean; depth: number }>(
    `WITH RECURSIVE chain(id, parent_id, active, depth) AS (
       SELECT id, parent_id, active, 0 FROM command.categories WHERE id = $1::uuid
       UNION ALL
       SELECT c.id, c.parent_id, c.active, chain.depth + 1 FROM command.categories c JOIN chain ON c.id = chain.parent_id
       WHERE chain.depth < 1000
     )
     SELECT id::text AS id, active, depth FROM chain ORDER BY depth`,
    [parentId],
  );
  const [parent, ...ancestors] = rows;
  return parent ? { id: parent.id, active: parent.active, ancestorIds: ancestors.map((a) => a.id) } : null;
}

async function activeDependents(db: Queryable, id: string): Promise<Pick<CategoryContext, "activeChildCount" | "activeProductCount">> {
  const { rows } = await db.query<{ children: number; products: number }>(
    `SELECT (SELECT count(*)::integer FROM command.categories WHERE parent_id = $1::uuid AND active) AS children,
            (SELECT count(*)::integer FROM command.products WHERE category_id = $1::uuid AND active) AS products`,
    [id],
  );
  return { activeChildCount: rows[0]?.children ?? 0, activeProductCount: rows[0]?.products ?? 0 };
}
