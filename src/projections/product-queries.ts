// The products read model's queries, next to the projection that writes the
// table: resolvers map arguments and shapes, the SQL lives here.
import { and, asc, eq, gte, ilike, lte, or, type SQL } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { categories, products } from "../../schema/query-db.ts";
import type { ReadDb } from "../db/read-db.ts";
import type { CategoryRow } from "./category-queries.ts";

export type ProductRow = typeof products.$inferSelect;

export interface ProductListFilter {
  categoryId?: string;
  minPrice?: string;
  maxPrice?: string;
  includeDeleted: boolean;
  limit: number;
  offset: number;
}

export async function productById(db: ReadDb, id: string): Promise<ProductRow | undefined> {
  const [row] = await db.select().from(products).where(eq(products.id, id));
  return row;
}

function listed(filter: ProductListFilter): SQL | undefined {
  return and(
    filter.categoryId ? eq(products.categoryId, filter.categoryId) : undefined,
    filter.minPrice ? gte(products.price, filter.minPrice) : undefined,
    filter.maxPrice ? lte(products.price, filter.maxPrice) : undefined,
    filter.includeDeleted ? undefined : eq(products.active, true),
  );
}

export function listProducts(db: ReadDb, filter: ProductListFilter): Promise<ProductRow[]> {
  return db.select().from(products).where(listed(filter)).orderBy(asc(products.name), asc(products.id)).limit(filter.limit).offset(filter.offset);
}

export interface ProductWithCategory {
  product: ProductRow;
  /** The product's category (deleted ones too, as categoriesById reads them), null if the categories read model lacks it. */
  category: CategoryRow | null;
  /** That category's parent, likewise; null for a root category. */
  parent: CategoryRow | null;
}

/**
 * listProducts with each product's category and the category's parent, in
 * one statement: a list that shows them costs one round trip instead of
 * three. Both joins are by primary key, so the page is the same as listProducts'.
 */
export function listProductsWithCategories(db: ReadDb, filter: ProductListFilter): Promise<ProductWithCategory[]> {
  const category = alias(categories, "category");
  const parent = alias(categories, "parent");
  return db
    .select({ product: products, category, parent })
    .from(products)
    .leftJoin(category, eq(category.id, products.categoryId))
    .leftJoin(parent, eq(parent.id, category.parentId))
    .where(listed(filter))
    .orderBy(asc(products.name), asc(products.id))
    .limit(filter.limit)
    .offset(filter.offset);
}

/** Active products whose name or description matches an ILIKE pattern. */
export function searchProducts(db: ReadDb, pattern: string, limit: number): Promise<ProductRow[]> {
  return db
    .select()
    .from(products)
    .where(and(eq(products.active, true), or(ilike(products.name, pattern), ilike(products.description, pattern))))
    .orderBy(asc(products.name))
    .limit(limit);
}
