// One query per request for each kind of nested lookup, not one per parent:
// a list of products with their categories asks for every category at once.
// Loaders live as long as the request (its context), so they never serve
// another request's stale rows.
import DataLoader from "dataloader";
import { and, asc, eq, inArray } from "drizzle-orm";
import { categories } from "../../schema/query-db.ts";
import { readDb } from "../db/read-db.ts";
import type { GraphQLContext } from "./context.ts";

export type CategoryRow = typeof categories.$inferSelect;

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
        const rows = await (await db()).select().from(categories).where(inArray(categories.id, [...ids]));
        const byId = new Map(rows.map((row) => [row.id, row]));
        return ids.map((id) => byId.get(id) ?? null);
      }),
      activeChildrenOf: new DataLoader(async (parentIds) => {
        const rows = await (await db())
          .select()
          .from(categories)
          .where(and(inArray(categories.parentId, [...parentIds]), eq(categories.active, true)))
          .orderBy(asc(categories.name), asc(categories.id));
        return parentIds.map((id) => rows.filter((row) => row.parentId === id));
      }),
    };
    perRequest.set(context, found);
  }
  return found;
}
