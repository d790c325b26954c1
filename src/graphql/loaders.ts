// One query per request for each kind of nested lookup, not one per parent:
// a list of products with their categories asks for every category at once.
// Loaders live as long as the request (its context), so they never serve
// another request's stale rows. A list that read its items' categories or
// children in its own statement primes them here, so the nested fields cost
// no statement at all.
import DataLoader from "dataloader";
import { readDb } from "../db/read-db.ts";
import { activeChildrenOf, categoriesById, type CategoryRow } from "../projections/category-queries.ts";
import type { GraphQLContext } from "./context.ts";

interface Loaders {
  categoryById: DataLoader<string, CategoryRow | null>;
  activeChildrenOf: DataLoader<string, CategoryRow[]>;
}

const perRequest = new WeakMap<GraphQLContext, Loaders>();

export function loaders(context: GraphQLContext): Loaders {
  let found = perRequest.get(context);
  if (!found) {
    const db = async () => readDb(await context.db.get());
    found = {
      categoryById: new DataLoader(async (ids) => {
        const rows = await categoriesById(await db(), ids);
        const byId = new Map(rows.map((row) => [row.id, row]));
        return ids.map((id) => byId.get(id) ?? null);
      }),
      activeChildrenOf: new DataLoader(async (parentIds) => {
        const rows = await activeChildrenOf(await db(), parentIds);
        return parentIds.map((id) => rows.filter((row) => row.parentId === id));
      }),
    };
    perRequest.set(context, found);
  }
  return found;
}

/** Rows a list read along with its items: each category by id (null: the read model has none). */
export function primeCategories(context: GraphQLContext, rows: Iterable<readonly [string, CategoryRow | null]>): void {
  const { categoryById } = loaders(context);
  for (const [id, row] of rows) categoryById.prime(id, row);
}

/** Each listed category's active children, read along with the list. */
export function primeChildren(context: GraphQLContext, childrenOf: ReadonlyMap<string, CategoryRow[]>): void {
  const { activeChildrenOf } = loaders(context);
  for (const [parentId, children] of childrenOf) activeChildrenOf.prime(parentId, children);
}
