// The write model: current state used while handling commands, kept in the
// same transaction as the append. Deliberately no orders table.
import { bigint, boolean, index, integer, pgSchema, text, timestamp, uuid } from "drizzle-orm/pg-core";

export const commandDb = pgSchema("command");

export const categories = commandDb.table(
  "categories",
  {
    id: uuid("id").primaryKey(),
    name: text("name").notNull(),
    description: text("description"),
    parentId: uuid("parent_id"),
    active: boolean("active").notNull().default(true),
    version: integer("version").notNull(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [index("command_categories_parent_idx").on(table.parentId)],
);

export const products = commandDb.table(
  "products",
  {
    id: uuid("id").primaryKey(),
    name: text("name").notNull(),
    categoryId: uuid("category_id").notNull(),
    /** Exact money: minor units (cents), never a float. */
    priceAmount: bigint("price_amount", { mode: "number" }).notNull(),
    stockQuantity: integer("stock_quantity").notNull(),
    reservedQuantity: integer("reserved_quantity").notNull().default(0),
    active: boolean("active").notNull().default(true),
    version: integer("version").notNull(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [index("command_products_category_idx").on(table.categoryId)],
);
