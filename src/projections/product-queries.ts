// The products read model's queries, next to the projection that writes the
// table: resolvers map arguments and shapes, the SQL lives here.
import { and, asc, eq, gte, ilike, lte, or, sql, type SQL } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { categories, products } from "../../schema/query-db.ts";
import { preparedOnce } from "../db/prepared.ts";
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

// These run as prepared queries (src/db/prepared.ts): one per shape of filter, the values as placeholders.
export async function productById(db: ReadDb, id: string): Promise<ProductRow | undefined> {
  const query = preparedOnce(db, "products_by_id", (name) =>
    db
      .select()
      .from(products)
      .where(eq(products.id, sql.placeholder("id")))
      .prepare(name),
  );
  const [row] = await query.execute({ id });
  return row;
}

function listed(filter: ProductListFilter): SQL | undefined {
  return and(
    filter.categoryId ? eq(products.categoryId, sql.placeholder("categoryId")) : undefined,
    filter.minPrice ? gte(products.price, sql.placeholder("minPrice")) : undefined,
    filter.maxPrice ? lte(products.price, sql.placeholder("maxPrice")) : undefined,
    filter.includeDeleted ? undefined : eq(products.active, true),
  );
}

const shape = (filter: ProductListFilter) =>
  `${filter.categoryId ? "_category" : ""}${filter.minPrice ? "_min" : ""}${filter.maxPrice ? "_max" : ""}${filter.includeDeleted ? "_deleted" : ""}`;
const values = ({ categoryId, minPrice, maxPrice, limit, offset }: ProductListFilter) => ({ categoryId, minPrice, maxPrice, limit, offset });

export function listProducts(db: ReadDb, filter: ProductListFilter): Promise<ProductRow[]> {
  const query = preparedOnce(db, `products_list${shape(filter)}`, (name) =>
    db
      .select()
      .from(products)
      .where(listed(filter))
      .orderBy(asc(products.name), asc(products.id))
      .limit(sql.placeholder("limit"))
      .offset(sql.placeholder("offset"))
      .prepare(name),
  );
  return query.execute(values(filter));
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
  const query = preparedOnce(db, `products_list_categories${shape(filter)}`, (name) => {
    const category = alias(categories, "category");
    const parent = alias(categories, "parent");
    return db
      .select({ product: products, category, parent })
      .from(products)
      .leftJoin(category, eq(category.id, products.categoryId))
      .leftJoin(parent, eq(parent.id, category.parentId))
      .where(listed(filter))
      .orderBy(asc(products.name), asc(products.id))
      .limit(sql.placeholder("limit"))
      .offset(sql.placeholder("offset"))
      .prepare(name);
  });
  return query.execute(values(filter));
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
