import { sql } from "drizzle-orm";
import { formatMoney } from "../domain/shared/money.ts";
import { isUuid } from "../domain/shared/validation.ts";
import {
  isOrderClosed,
  orderDecider,
  orderItemView,
  type OrderCommand,
  type OrderContext,
  type OrderEvent,
  type OrderItemView,
  type OrderProductFacts,
  type OrderState,
  type OrderStatus,
} from "../domain/order/order.ts";
import type { Queryable } from "../event-store/index.ts";
import type { AggregateDefinition } from "./aggregate-definition.ts";

export interface OrderView {
  id: string;
  userId: string;
  status: OrderStatus;
  items: OrderItemView[];
  totalAmount: string;
  version: number;
}

// Orders live only in the event store: no command table row commits with them.
export const orderWriteModel: AggregateDefinition<OrderCommand, OrderEvent, OrderState, OrderContext> = {
  decider: orderDecider,

  async loadContext(db, command) {
    if (command.type !== "createOrder" || !Array.isArray(command.data.items)) return {};
    // Malformed ids are left for decide to reject.
    const ids = [...new Set(command.data.items.map((item) => item?.productId).filter(isUuid).map((id) => id.toLowerCase()))];
    return ids.length === 0 ? {} : { products: await productFacts(db, ids) };
  },

  alongside(events) {
    return events.flatMap((event) => (event.type === "order.created" ? [productsStillActive(event.data.items.map((item) => item.productId))] : []));
  },

  // An order's Durable Object is used once: held for the idle time, the
  // connections of closed orders alone were about (orders/s) x 10 s.
  isFinished: isOrderClosed,

  view(state, version): OrderView | null {
    if (state.status === "absent") return null;
    const { id, userId, status } = state;
    return { id, userId, status, items: state.items.map(orderItemView), totalAmount: formatMoney(state.totalAmount), version };
  },
};

async function productFacts(db: Queryable, ids: string[]): Promise<Record<string, OrderProductFacts | null>> {
  const { rows } = await db.query<{ id: string; name: string; price_amount: string | number; active: boolean }>(
    "SELECT id::text AS id, name, price_amount, active FROM command.products WHERE id = ANY($1::uuid[])",
    [ids],
  );
  const facts: Record<string, OrderProductFacts | null> = Object.fromEntries(ids.map((id) => [id, null]));
  // bigint comes back as text; prices stay far below 2^53.
  for (const row of rows) facts[row.id] = { id: row.id, name: row.name, priceAmount: Number(row.price_amount), active: row.active };
  return facts;
}

/**
 * Re-checks, with share locks, that no ordered product was deleted between the
 * lookup and the commit (products are never removed, so existence holds).
 * Inline rather than a migration function: it reuses command.raise_rule, whose
 * ES100 error rule-violations.ts turns back into PRODUCT_DELETED.
 *
 * `active` is tested in the select list, not in a WHERE: the statement's
 * snapshot is older than the wait for the stream lock, and a filter on it would
 * be pushed below the lock and drop a row whose delete committed during that
 * wait without ever locking it. Locked, the row is read in its latest version.
 */
function productsStillActive(productIds: string[]) {
  const ids = `{${[...productIds].sort().join(",")}}`;
  return sql`SELECT CASE WHEN NOT p.active THEN command.raise_rule('illegal_state', 'PRODUCT_DELETED', format('product %s is deleted', p.id),
                                                                 jsonb_build_object('productId', p.id)) END
             FROM (SELECT id, active FROM command.products WHERE id = ANY(${ids}::uuid[]) ORDER BY id FOR SHARE) AS p`;
}
