// The read model: projections of the event log, and each consumer's
// checkpoint, so a read-model write and its checkpoint commit together.
import { sql } from "drizzle-orm";
import { bigint, bigserial, boolean, index, integer, jsonb, numeric, pgSchema, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { xid8 } from "./types.ts";

export const queryDb = pgSchema("query");

export const categories = queryDb.table(
  "categories",
  {
    id: uuid("id").primaryKey(),
    name: text("name").notNull(),
    description: text("description"),
    parentId: uuid("parent_id"),
    active: boolean("active").notNull().default(true),
    version: integer("version").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull(),
  },
  (table) => [index("query_categories_parent_idx").on(table.parentId)],
);

export const products = queryDb.table(
  "products",
  {
    id: uuid("id").primaryKey(),
    name: text("name").notNull(),
    description: text("description"),
    categoryId: uuid("category_id").notNull(),
    price: numeric("price", { precision: 14, scale: 2 }).notNull(),
    stockQuantity: integer("stock_quantity").notNull(),
    reservedQuantity: integer("reserved_quantity").notNull().default(0),
    active: boolean("active").notNull().default(true),
    version: integer("version").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull(),
  },
  (table) => [
    index("query_products_category_idx").on(table.categoryId),
    index("query_products_price_idx").on(table.price),
  ],
);

export const orders = queryDb.table(
  "orders",
  {
    id: uuid("id").primaryKey(),
    userId: text("user_id").notNull(),
    status: text("status").notNull(),
    totalAmount: numeric("total_amount", { precision: 14, scale: 2 }).notNull(),
    items: jsonb("items").notNull(),
    sagaId: uuid("saga_id"),
    sagaStatus: text("saga_status"),
    sagaCurrentStep: text("saga_current_step"),
    /** Version of the saga's stream the saga columns reflect (they are fed by the saga's events). */
    sagaVersion: integer("saga_version"),
    version: integer("version").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull(),
  },
  (table) => [
    index("query_orders_user_idx").on(table.userId, table.createdAt),
    index("query_orders_status_idx").on(table.status),
  ],
);

/**
 * Where each consumer of the global log stands: (transaction_id, global_sequence),
 * plus what admins see in projectionStatus.
 */
export const checkpoints = queryDb.table("checkpoints", {
  consumer: text("consumer").primaryKey(),
  transactionId: xid8("transaction_id").notNull().default(sql`'0'::xid8`),
  globalSequence: bigint("global_sequence", { mode: "number" }).notNull().default(0),
  processedCount: bigint("processed_count", { mode: "number" }).notNull().default(0),
  /** running | failed | stopped | rebuilding (catching_up is derived from the lag). */
  status: text("status").notNull().default("running"),
  lastError: text("last_error"),
  /** The event the consumer is stuck on while failed. */
  failedSequence: bigint("failed_sequence", { mode: "number" }),
  failedAt: timestamp("failed_at", { withTimezone: true }),
  lagP50Ms: integer("lag_p50_ms"),
  lagP99Ms: integer("lag_p99_ms"),
  lastProcessedAt: timestamp("last_processed_at", { withTimezone: true }),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});

/** Events an admin chose to skip (skipEvent), kept for inspection and replay. */
export const deadLetters = queryDb.table(
  "dead_letters",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    consumer: text("consumer").notNull(),
    globalSequence: bigint("global_sequence", { mode: "number" }).notNull(),
    transactionId: xid8("transaction_id").notNull(),
    aggregateId: uuid("aggregate_id").notNull(),
    eventType: text("event_type").notNull(),
    eventData: jsonb("event_data").notNull(),
    error: text("error"),
    skippedAt: timestamp("skipped_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [index("dead_letters_consumer_idx").on(table.consumer, table.id)],
);

/** The stats read model: events per type as of the stats consumer's checkpoint (src/stats/). */
export const eventCounts = queryDb.table("event_counts", {
  eventType: text("event_type").primaryKey(),
  eventCount: bigint("event_count", { mode: "number" }).notNull(),
  latestSequence: bigint("latest_sequence", { mode: "number" }).notNull(),
});
