import { sql } from "drizzle-orm";
import { bigint, bigserial, index, integer, jsonb, pgSchema, primaryKey, text, timestamp, unique, uuid } from "drizzle-orm/pg-core";
import { xid8 } from "./types.ts";

export const eventStore = pgSchema("event_store");

/**
 * One row per stream, derived from its events (migration 0010): the append
 * reads a stream's version from its last event and keeps no row of its own.
 */
export const streams = eventStore
  .view("streams", {
    streamId: uuid("stream_id").notNull(),
    streamType: text("stream_type").notNull(),
    version: integer("version").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull(),
  })
  .existing();

export const events = eventStore.table(
  "events",
  {
    globalSequence: bigserial("global_sequence", { mode: "number" }).notNull(),
    aggregateId: uuid("aggregate_id").notNull(),
    aggregateType: text("aggregate_type").notNull(),
    eventType: text("event_type").notNull(),
    eventData: jsonb("event_data").notNull(),
    metadata: jsonb("metadata").notNull().default({}),
    eventVersion: integer("event_version").notNull(),
    schemaVersion: integer("schema_version").notNull().default(1),
    occurredAt: timestamp("occurred_at", { withTimezone: true }).notNull().defaultNow(),
    transactionId: xid8("transaction_id").notNull().default(sql`pg_current_xact_id()`),
  },
  (table) => [
    // The last line of defence against lost updates.
    unique("events_aggregate_version_unique").on(table.aggregateId, table.eventVersion),
    // The log's position: the gap-safe global log read orders and filters on
    // this pair. As the primary key it is the only index on it (migration 0011).
    primaryKey({ name: "events_log_position_pkey", columns: [table.transactionId, table.globalSequence] }),
    // The GraphQL events filter by a rare type reads through it (a walk of the
    // whole log otherwise). No index on aggregate_type: no reader's plan used one.
    index("events_event_type_idx").on(table.eventType),
  ],
);

export const snapshots = eventStore.table("snapshots", {
  aggregateId: uuid("aggregate_id").primaryKey(),
  aggregateType: text("aggregate_type").notNull(),
  version: integer("version").notNull(),
  /** Version of the state's shape: a snapshot with another one is ignored. */
  stateVersion: integer("state_version").notNull(),
  data: jsonb("data").notNull(),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});

export const sagas = eventStore.table(
  "sagas",
  {
    sagaId: uuid("saga_id").primaryKey(),
    sagaType: text("saga_type").notNull(),
    state: jsonb("state").notNull(),
    status: text("status").notNull(),
    currentStep: text("current_step"),
    version: integer("version").notNull().default(0),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [index("sagas_status_idx").on(table.sagaType, table.status)],
);

export const idempotencyKeys = eventStore.table("idempotency_keys", {
  key: text("key").primaryKey(),
  aggregateId: uuid("aggregate_id").notNull(),
  result: jsonb("result"),
  lastSequence: bigint("last_sequence", { mode: "number" }),
  transactionId: xid8("transaction_id").notNull().default(sql`pg_current_xact_id()`),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});

