// The saga manager: a consumer of the global log (with its own checkpoint,
// like every read model) that starts one saga per order.created and passes a
// user's cancel on to the order's saga. A start is idempotent (the saga's id
// comes from the order's), so an event delivered twice after a crash changes
// nothing; an event never delivered cannot happen: the checkpoint only moves
// past events whose sagas accepted them.
import type { OrderCancelled, OrderCreated } from "../domain/order/order.ts";
import type { Consumer } from "../consumers/consumer.ts";
import type { StoredEvent } from "../event-store/index.ts";
import { sagaIdFor } from "./order-saga-types.ts";

export const SAGA_MANAGER = "order_saga_manager";
export const SAGA_MANAGER_EVENT_TYPES = ["order.created", "order.cancelled"] as const;

/** How many sagas are told at once; each saga's own events stay in log order. */
const CONCURRENCY = 16;

export function sagaManager(sagas: Env["SAGA"]): Consumer {
  return {
    name: SAGA_MANAGER,
    eventTypes: SAGA_MANAGER_EVENT_TYPES,
    // Starts and cancels are idempotent: no transaction held open while sagas (new DOs that connect first) answer.
    appliesElsewhere: true,
    async apply(_db, events) {
      const bySaga = new Map<string, StoredEvent[]>();
      for (const event of events) {
        const sagaId = sagaIdFor(event.streamId);
        bySaga.set(sagaId, [...(bySaga.get(sagaId) ?? []), event]);
      }
      const queue = [...bySaga.entries()];
      const worker = async () => {
        for (let next = queue.shift(); next; next = queue.shift()) {
          const [sagaId, sagaEvents] = next;
          for (const event of sagaEvents) await tell(sagas, sagaId, event);
        }
      };
      await Promise.all(Array.from({ length: Math.min(CONCURRENCY, queue.length) }, worker));
    },
  };
}

async function tell(sagas: Env["SAGA"], sagaId: string, event: StoredEvent): Promise<void> {
  const saga = sagas.getByName(sagaId);
  if (event.type === "order.created") {
    const { id, userId, items, totalAmount } = (event as StoredEvent<"order.created", OrderCreated["data"]>).data;
    const order = { orderId: id, userId, items: items.map(({ productId, quantity }) => ({ productId, quantity })), totalAmount };
    await saga.start(sagaId, order, event.metadata.correlationId);
  } else if (event.metadata.actor !== "order_saga") {
    // The saga's own cancel (its last compensation) needs no answer.
    await saga.cancel(sagaId, (event as StoredEvent<"order.cancelled", OrderCancelled["data"]>).data.reason);
  }
}
