import { desc, eq, type SQL } from "drizzle-orm";
import type { GraphQLResolveInfo } from "graphql";
import { orders } from "../../../schema/query-db.ts";
import { newAggregateId } from "../../commands/command-bus.ts";
import type { OrderView } from "../../commands/order-write-model.ts";
import { ORDER_STATUSES, USER_ID, type OrderCommand, type OrderItemInput, type OrderItemView } from "../../domain/order/order.ts";
import { ValidationError } from "../../domain/shared/errors.ts";
import { requiredText } from "../../domain/shared/validation.ts";
import { readDb } from "../../db/read-db.ts";
import { idArgument, page } from "../arguments.ts";
import { commandOptions, runCommand, type GraphQLContext } from "../context.ts";
import { awaitReadModel } from "../read-your-writes.ts";
import { eventTime } from "./event-times.ts";

export const orderTypeDefs = /* GraphQL */ `
  type Order {
    id: ID!
    userId: String!
    "pending, inventory_reserved, payment_processed, shipped, confirmed, cancelled or failed."
    status: String!
    items: [OrderItem!]!
    totalAmount: Decimal!
    sagaId: ID
    sagaStatus: String
    sagaCurrentStep: String
    version: Int!
    createdAt: String!
    updatedAt: String!
  }

  "A line of an order, priced when the order was placed."
  type OrderItem {
    productId: ID!
    "The product's name when the order was placed."
    productName: String!
    quantity: Int!
    unitPrice: Decimal!
    lineTotal: Decimal!
  }

  type CreateOrderResult {
    success: Boolean!
    order: Order
    message: String
  }

  input OrderItemInput {
    productId: ID!
    quantity: Int!
  }

  input CreateOrderInput {
    userId: String!
    items: [OrderItemInput!]!
  }

  input CancelOrderInput {
    id: ID!
    reason: String
  }

  extend type Query {
    order(id: ID!, minPosition: String): Order
    "Newest first."
    orders(status: String, limit: Int = 20, offset: Int = 0, minPosition: String): [Order!]!
    "Newest first."
    userOrders(userId: String!, limit: Int = 20, offset: Int = 0, minPosition: String): [Order!]!
  }

  extend type Mutation {
    "Prices come from the products at order time. Rejected input is a GraphQL error with its code (VALIDATION_ERROR, PRODUCT_NOT_FOUND, PRODUCT_DELETED)."
    createOrder(input: CreateOrderInput!): CreateOrderResult!
    cancelOrder(input: CancelOrderInput!): Order!
  }
`;

type OrderResult = OrderView & { createdAt?: string; updatedAt?: string };
type OrderRow = typeof orders.$inferSelect;

function fromRow(row: OrderRow): OrderResult {
  return {
    ...row,
    status: row.status as OrderView["status"],
    // Written by the orders projection, always as orderItemView shapes.
    items: row.items as OrderItemView[],
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

async function execute(context: GraphQLContext, id: string, command: OrderCommand) {
  const result = await runCommand(context, "order", id, command);
  return { order: result.view as OrderView, replayed: result.replayed };
}

function statusArgument(status: string): string {
  if (!(ORDER_STATUSES as readonly string[]).includes(status)) {
    throw new ValidationError(`status must be one of ${ORDER_STATUSES.join(", ")}`, { field: "status", value: status });
  }
  return status;
}

type ListArgs = { limit?: number; offset?: number; minPosition?: string };

async function listOrders(context: GraphQLContext, info: GraphQLResolveInfo, args: ListArgs, where: SQL | undefined) {
  const { limit, offset } = page(args);
  await awaitReadModel(context, info, "orders", args.minPosition);
  const rows = await readDb(await context.db.get())
    .select()
    .from(orders)
    .where(where)
    .orderBy(desc(orders.createdAt), desc(orders.id))
    .limit(limit)
    .offset(offset);
  return rows.map(fromRow);
}

type Args<T> = { input: T };

export const orderResolvers = {
  Query: {
    order: async (_: unknown, args: { id: string; minPosition?: string }, context: GraphQLContext, info: GraphQLResolveInfo) => {
      const id = idArgument(args.id);
      await awaitReadModel(context, info, "orders", args.minPosition);
      const [row] = await readDb(await context.db.get()).select().from(orders).where(eq(orders.id, id));
      return row ? fromRow(row) : null;
    },
    orders: (_: unknown, args: ListArgs & { status?: string | null }, context: GraphQLContext, info: GraphQLResolveInfo) =>
      listOrders(context, info, args, args.status ? eq(orders.status, statusArgument(args.status)) : undefined),
    userOrders: (_: unknown, args: ListArgs & { userId: string }, context: GraphQLContext, info: GraphQLResolveInfo) =>
      listOrders(context, info, args, eq(orders.userId, requiredText(args.userId, USER_ID))),
  },
  Mutation: {
    // A rejected order is a GraphQL error with its code, as for every other mutation, so
    // clients handle one error shape; `success` is kept for clients of the original API.
    createOrder: async (_: unknown, { input }: Args<{ userId: string; items: OrderItemInput[] }>, context: GraphQLContext) => {
      const id = newAggregateId("createOrder", commandOptions(context));
      const { order, replayed } = await execute(context, id, { type: "createOrder", data: { ...input, id } });
      return { success: true, order, message: replayed ? "order already created (idempotent retry)" : "order created" };
    },
    cancelOrder: async (_: unknown, { input }: Args<{ id: string; reason?: string | null }>, context: GraphQLContext) => {
      const id = idArgument(input.id);
      return (await execute(context, id, { type: "cancelOrder", data: { id, reason: input.reason } })).order;
    },
  },
  Order: {
    createdAt: (order: OrderResult, _: unknown, context: GraphQLContext) => order.createdAt ?? eventTime(context, order.id, 1),
    updatedAt: (order: OrderResult, _: unknown, context: GraphQLContext) => order.updatedAt ?? eventTime(context, order.id, order.version),
  },
};
