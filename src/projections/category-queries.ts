// The categories read model's queries, next to the projection that writes the
// table: resolvers map arguments and shapes, the SQL lives here.
import { and, asc, eq, ilike, inArray, or } from "drizzle-orm";
import { categories } from "../../schema/query-db.ts";
import type { ReadDb } from "../db/read-db.ts";

export type CategoryRow = typeof categories.$inferSelect;

export interface CategoryListFilter {
  parentId?: string;
  includeDeleted: boolean;
  limit: number;
  offset: number;
}

export function listCategories(db: ReadDb, filter: CategoryListFilter): Promise<CategoryRow[]> {
  return db
    .select()
    .from(categories)
    .where(and(filter.parentId ? eq(categories.parentId, filter.parentId) : undefined, filter.includeDeleted ? undefined : eq(categories.active, true)))
    .orderBy(asc(categories.name), asc(categories.id))
    .limit(filter.limit)
    .offset(filter.offset);
}

/** Active categories whose name or description matches an ILIKE pattern. */
export function searchCategories(db: ReadDb, pattern: string, limit: number): Promise<CategoryRow[]> {
  return db
    .select()
    .from(categories)
    .where(and(eq(categories.active, true), or(ilike(categories.name, pattern), ilike(categories.description, pattern))))
    .orderBy(asc(categories.name))
    .limit(limit);
}

/** Deleted ones too: a product or child may still point at a deleted category. */
export function categoriesById(db: ReadDb, ids: readonly string[]): Promise<CategoryRow[]> {
  return db.select().from(categories).where(inArray(categories.id, [...ids]));
}

export function activeChildrenOf(db: ReadDb, parentIds: readonly string[]): Promise<CategoryRow[]> {
  return db
    .select()
    .from(categories)
    .where(and(inArray(categories.parentId, [...parentIds]), eq(categories.active, true)))
    .orderBy(asc(categories.name), asc(categories.id));
}
