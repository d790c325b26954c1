import type { Queryable, StoredEvent } from "../event-store/index.ts";

/** A read model fed from the global log. */
export interface Projection {
  /** Also the consumer name of its checkpoint. */
  name: string;
  /** Event types it reacts to; others only move its checkpoint. */
  eventTypes: readonly string[];
  /** Applies a batch idempotently: replaying an event already applied changes nothing. */
  apply(db: Queryable, events: readonly StoredEvent[]): Promise<void>;
  /** Tables it owns in the query schema (for rebuilds and statistics). */
  tables: readonly string[];
}
