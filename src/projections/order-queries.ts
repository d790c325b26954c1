// The orders read model's queries, next to the projection that writes the
// table: resolvers map arguments, access and shapes, the SQL lives here.
import { and, desc, eq } from "drizzle-orm";
import { orders } from "../../schema/query-db.ts";
import type { ReadDb } from "../db/read-db.ts";

export type OrderRow = typeof orders.$inferSelect;

export interface OrderListFilter {
  status?: string;
  /** Only this user's orders (a user token's scope, or userOrders' argument). */
  userId?: string;
  limit: number;
  offset: number;
}

/** The order with this id, if it belongs to `userId` when one is given. */
export async function orderById(db: ReadDb, id: string, userId?: string): Promise<OrderRow | undefined> {
  const [row] = await db
    .select()
    .from(orders)
    .where(and(eq(orders.id, id), userId === undefined ? undefined : eq(orders.userId, userId)));
  return row;
}

/** Newest first. */
export function listOrders(db: ReadDb, filter: OrderListFilter): Promise<OrderRow[]> {
  return db
    .select()
    .from(orders)
    .where(
      and(
        filter.status === undefined ? undefined : eq(orders.status, filter.status),
        filter.userId === undefined ? undefined : eq(orders.userId, filter.userId),
      ),
    )
    .orderBy(desc(orders.createdAt), desc(orders.id))
    .limit(filter.limit)
    .offset(filter.offset);
}
