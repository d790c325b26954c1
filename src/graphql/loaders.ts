// One query per request for each kind of nested lookup, not one per parent:
// a list of products with their categories asks for every category at once.
// Loaders live as long as the request (its context), so they never serve
// another request's stale rows.
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
