// systemStatistics from the event counts alone: every row of the command and
// query tables is made by one creating event (deletes are soft), and every
// saga ends with exactly one of completed, failed or compensated.
import type { EventCounts } from "./event-counts.ts";

export interface SystemStatistics {
  eventStore: { totalRecords: number };
  commandDb: { totalRecords: number };
  queryDb: { categories: number; products: number; orders: number };
  sagas: { active: number; completed: number; failed: number };
  position: string | null;
}

export function systemStatistics(counts: EventCounts): SystemStatistics {
  const n = (type: string) => counts.byType.get(type) ?? 0;
  const categories = n("category.created");
  const products = n("product.created");
  const ended = { completed: n("order_saga.completed"), failed: n("order_saga.failed") + n("order_saga.compensated") };
  return {
    eventStore: { totalRecords: counts.total },
    commandDb: { totalRecords: categories + products },
    queryDb: { categories, products, orders: n("order.created") },
    sagas: { active: n("order_saga.started") - ended.completed - ended.failed, ...ended },
    position: counts.position,
  };
}
