// The categories read model's queries, next to the projection that writes the
// table: resolvers map arguments and shapes, the SQL lives here.
import { and, asc, eq, ilike, or, sql, type SQL } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { categories } from "../../schema/query-db.ts";
import { preparedOnce } from "../db/prepared.ts";
import type { ReadDb } from "../db/read-db.ts";

export type CategoryRow = typeof categories.$inferSelect;

export interface CategoryListFilter {
  parentId?: string;
  includeDeleted: boolean;
  limit: number;
  offset: number;
}

// Lists run as prepared queries (src/db/prepared.ts): one per shape of filter, the values as placeholders.
function listed(filter: CategoryListFilter): SQL | undefined {
  return and(filter.parentId ? eq(categories.parentId, sql.placeholder("parentId")) : undefined, filter.includeDeleted ? undefined : eq(categories.active, true));
}

const shape = (filter: CategoryListFilter) => `${filter.parentId ? "_parent" : ""}${filter.includeDeleted ? "_deleted" : ""}`;
const values = (filter: CategoryListFilter) => ({ parentId: filter.parentId, limit: filter.limit, offset: filter.offset });

export function listCategories(db: ReadDb, filter: CategoryListFilter): Promise<CategoryRow[]> {
  const query = preparedOnce(db, `categories_list${shape(filter)}`, (name) =>
    db
      .select()
      .from(categories)
      .where(listed(filter))
      .orderBy(asc(categories.name), asc(categories.id))
      .limit(sql.placeholder("limit"))
      .offset(sql.placeholder("offset"))
      .prepare(name),
  );
  return query.execute(values(filter));
}

export interface CategoriesWithChildren {
  page: CategoryRow[];
  /** Each listed category's active children (as activeChildrenOf orders them), [] for none. */
  childrenOf: Map<string, CategoryRow[]>;
}

/**
 * listCategories and activeChildrenOf of the page in one statement: a list
 * that shows children then costs one round trip instead of two.
 */
export async function listCategoriesWithChildren(db: ReadDb, filter: CategoryListFilter): Promise<CategoriesWithChildren> {
  const query = preparedOnce(db, `categories_list_children${shape(filter)}`, (name) => {
    const page = db
      .select({ id: categories.id })
      .from(categories)
      .where(listed(filter))
      .orderBy(asc(categories.name), asc(categories.id))
      .limit(sql.placeholder("limit"))
      .offset(sql.placeholder("offset"))
      .as("page");
    const child = alias(categories, "child");
    return db
      .select({ category: categories, child })
      .from(page)
      .innerJoin(categories, eq(categories.id, page.id))
      .leftJoin(child, and(eq(child.parentId, categories.id), eq(child.active, true)))
      .orderBy(asc(categories.name), asc(categories.id), asc(child.name), asc(child.id))
      .prepare(name);
  });
  const rows = await query.execute(values(filter));
  const result: CategoriesWithChildren = { page: [], childrenOf: new Map() };
  for (const { category, child } of rows) {
    let children = result.childrenOf.get(category.id);
    if (!children) {
      result.page.push(category);
      result.childrenOf.set(category.id, (children = []));
    }
    if (child) children.push(child);
  }
  return result;
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

// The loaders' batch lookups are prepared too: the ids go in as one array, so one statement serves every batch size.
const anyOf = (column: typeof categories.id | typeof categories.parentId) => sql`${column} = ANY(${sql.placeholder("ids")}::uuid[])`;

/** Deleted ones too: a product or child may still point at a deleted category. */
export function categoriesById(db: ReadDb, ids: readonly string[]): Promise<CategoryRow[]> {
  const query = preparedOnce(db, "categories_by_id", (name) => db.select().from(categories).where(anyOf(categories.id)).prepare(name));
  return query.execute({ ids: [...ids] });
}

export function activeChildrenOf(db: ReadDb, parentIds: readonly string[]): Promise<CategoryRow[]> {
  const query = preparedOnce(db, "categories_active_children_of", (name) =>
    db
      .select()
      .from(categories)
      .where(and(anyOf(categories.parentId), eq(categories.active, true)))
      .orderBy(asc(categories.name), asc(categories.id))
      .prepare(name),
  );
  return query.execute({ ids: [...parentIds] });
}
