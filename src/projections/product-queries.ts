// The products read model's queries, next to the projection that writes the
// table: resolvers map arguments and shapes, the SQL lives here.
import { and, asc, eq, gte, ilike, lte, or } from "drizzle-orm";
import { products } from "../../schema/query-db.ts";
import type { ReadDb } from "../db/read-db.ts";

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

export function listProducts(db: ReadDb, filter: ProductListFilter): Promise<ProductRow[]> {
  return db
    .select()
    .from(products)
    .where(
      and(
        filter.categoryId ? eq(products.categoryId, filter.categoryId) : undefined,
        filter.minPrice ? gte(products.price, filter.minPrice) : undefined,
        filter.maxPrice ? lte(products.price, filter.maxPrice) : undefined,
        filter.includeDeleted ? undefined : eq(products.active, true),
      ),
    )
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
