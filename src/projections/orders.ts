import { orderItemView, type OrderEvent, type OrderStatus } from "../domain/order/order.ts";
import { formatMoney } from "../domain/shared/money.ts";
import type { StoredEvent } from "../event-store/index.ts";
import type { Projection } from "./projection.ts";
import type { RowChange, RowValues } from "./row-patches.ts";

export const ordersProjection: Projection = {
  name: "orders",
  eventTypes: [
    "order.created",
    "order.item_reserved",
    "order.payment_processed",
    "order.shipped",
    "order.confirmed",
    "order.cancelled",
    "order.compensation_started",
    "order.failed",
  ],
  table: "query.orders",
  rowChange: orderRowChange,
};

/** The status each event leaves the order in; compensation keeps the status until the order fails or is cancelled. */
const STATUS_AFTER: Record<Exclude<OrderEvent["type"], "order.created">, OrderStatus | null> = {
  "order.item_reserved": "inventory_reserved",
  "order.payment_processed": "payment_processed",
  "order.shipped": "shipped",
  "order.confirmed": "confirmed",
  "order.cancelled": "cancelled",
  "order.compensation_started": null,
  "order.failed": "failed",
};

function orderRowChange(stored: StoredEvent): RowChange {
  const event = { type: stored.type, data: stored.data } as OrderEvent;
  const at = stored.occurredAt.toISOString();
  const base = { id: event.data.id, version: stored.version };
  if (event.type === "order.created") {
    const { userId, items, totalAmount } = event.data;
    return {
      ...base,
      creates: true,
      values: {
        user_id: userId,
        status: "pending",
        total_amount: formatMoney(totalAmount),
        items: items.map(orderItemView),
        // The saga fills these in from its own events.
        saga_id: null,
        saga_status: null,
        saga_current_step: null,
        created_at: at,
        updated_at: at,
      },
    };
  }
  const status = STATUS_AFTER[event.type];
  const values: RowValues = { updated_at: at };
  if (status) values.status = status;
  return { ...base, creates: false, values };
}
