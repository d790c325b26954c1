import { orderItemView, type OrderEvent, type OrderStatus } from "../domain/order/order.ts";
import { formatMoney } from "../domain/shared/money.ts";
import type { StoredEvent } from "../event-store/index.ts";
import type { Projection } from "./projection.ts";
import { SAGA_TYPE, type OrderSagaEvent } from "../sagas/order-saga-types.ts";
import type { RowChange, RowValues } from "./row-patches.ts";

/** The saga events that change what an order shows of its saga. */
const SAGA_PROGRESS = [
  "order_saga.started",
  "order_saga.step_started",
  "order_saga.compensation_started",
  "order_saga.completed",
  "order_saga.compensated",
  "order_saga.failed",
] as const;

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
    ...SAGA_PROGRESS,
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
  if (stored.streamType === SAGA_TYPE) return sagaRowChange(stored);
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

/** The order's saga columns, guarded by the saga stream's own version. */
function sagaRowChange(stored: StoredEvent): RowChange {
  const event = { type: stored.type, data: stored.data } as OrderSagaEvent;
  const change = (values: RowValues): RowChange => ({ id: String(stored.metadata.orderId), version: stored.version, creates: false, values, versionColumn: "saga_version" });
  switch (event.type) {
    case "order_saga.started":
      return change({ saga_id: stored.streamId, saga_status: "started", saga_current_step: null });
    case "order_saga.step_started":
      return change({ saga_current_step: event.data.step });
    case "order_saga.compensation_started":
      return change({ saga_status: "compensating" });
    case "order_saga.completed":
    case "order_saga.compensated":
    case "order_saga.failed":
      return change({ saga_status: event.type.slice("order_saga.".length), saga_current_step: null });
    default:
      return change({});
  }
}
