import type { StoredEvent } from "../event-store/index.ts";
import type { Consumer } from "../consumers/consumer.ts";
import { applyRowChanges, type RowChange } from "./row-patches.ts";

/** A read model: one table in the query schema, fed from the global log. */
export interface Projection {
  /** Also the consumer name of its checkpoint. */
  name: string;
  /** Schema-qualified table it owns. */
  table: string;
  /** Event types it reacts to; others only move its checkpoint. */
  eventTypes: readonly string[];
  /** The version-guarded row change an event makes (see row-patches.ts). */
  rowChange(event: StoredEvent): RowChange;
}

/** The projection as a consumer of the log, writing to its table (or, for a rebuild, to another). */
export function projectionConsumer(projection: Projection, target = { name: projection.name, table: projection.table }): Consumer {
  return {
    name: target.name,
    eventTypes: projection.eventTypes,
    rederivable: true,
    apply: (db, events) => applyRowChanges(db, target.table, events.map((event) => projection.rowChange(event))),
  };
}
