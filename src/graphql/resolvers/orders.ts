import type { GraphQLResolveInfo } from "graphql";
import { newAggregateId } from "../../commands/command-bus.ts";
import type { OrderView } from "../../commands/order-write-model.ts";
import { ORDER_STATUSES, USER_ID, type OrderCommand, type OrderItemInput, type OrderItemView } from "../../domain/order/order.ts";
import { NotFoundError, ValidationError } from "../../domain/shared/errors.ts";
import { requiredText } from "../../domain/shared/validation.ts";
import { readDb } from "../../db/read-db.ts";
import { readStream } from "../../event-store/index.ts";
import { listOrders, orderById, type OrderListFilter, type OrderRow } from "../../projections/order-queries.ts";
import { refuse } from "../access.ts";
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

/** The user a user token limits this request to; admin and API tokens, and open mode, see every order. */
function ownUser(context: GraphQLContext): string | undefined {
  return context.caller?.role === "user" ? context.caller.userId : undefined;
}

/**
 * A user token may act on its own orders only; another user's order is
 * answered as an unknown one (ORDER_NOT_FOUND), so ids cannot be probed. The
 * owner comes from the order's first event, since the read model may lag.
 */
async function refuseUnlessOwn(context: GraphQLContext, id: string): Promise<void> {
  const user = ownUser(context);
  if (user === undefined) return;
  const [created] = await readStream(await context.db.get(), id, { toVersion: 1 });
  const owner = created?.type === "order.created" ? (created.data as { userId?: unknown }).userId : undefined;
  if (owner !== user) throw new NotFoundError(`order ${id} does not exist`, { orderId: id }, "ORDER_NOT_FOUND");
}

type ListArgs = { limit?: number; offset?: number; minPosition?: string };

async function orderPage(context: GraphQLContext, info: GraphQLResolveInfo, args: ListArgs, filter: Pick<OrderListFilter, "status" | "userId">) {
  const { limit, offset } = page(args);
  await awaitReadModel(context, info, "orders", args.minPosition);
  const rows = await listOrders(readDb(await context.db.get()), { ...filter, limit, offset });
  return rows.map(fromRow);
}

type Args<T> = { input: T };

export const orderResolvers = {
  Query: {
    order: async (_: unknown, args: { id: string; minPosition?: string }, context: GraphQLContext, info: GraphQLResolveInfo) => {
      const id = idArgument(args.id);
      await awaitReadModel(context, info, "orders", args.minPosition);
      // Another user's order reads as an unknown id: null.
      const row = await orderById(readDb(await context.db.get()), id, ownUser(context));
      return row ? fromRow(row) : null;
    },
    orders: (_: unknown, args: ListArgs & { status?: string | null }, context: GraphQLContext, info: GraphQLResolveInfo) => {
      const status = args.status ? statusArgument(args.status) : undefined;
      return orderPage(context, info, args, { status, userId: ownUser(context) });
    },
    userOrders: (_: unknown, args: ListArgs & { userId: string }, context: GraphQLContext, info: GraphQLResolveInfo) => {
      const userId = requiredText(args.userId, USER_ID);
      const user = ownUser(context);
      if (user !== undefined && userId !== user) throw refuse("A user token may only list its own orders", "FORBIDDEN");
      return orderPage(context, info, args, { userId });
    },
  },
  Mutation: {
    // A rejected order is a GraphQL error with its code, as for every other mutation, so
    // clients handle one error shape; `success` is kept for clients of the original API.
    createOrder: async (_: unknown, { input }: Args<{ userId: string; items: OrderItemInput[] }>, context: GraphQLContext) => {
      const user = ownUser(context);
      if (user !== undefined && requiredText(input.userId, USER_ID) !== user) throw refuse("A user token may only order as its own user (sub)", "FORBIDDEN");
      const id = newAggregateId("createOrder", commandOptions(context));
      const { order, replayed } = await execute(context, id, { type: "createOrder", data: { ...input, id } });
      return { success: true, order, message: replayed ? "order already created (idempotent retry)" : "order created" };
    },
    cancelOrder: async (_: unknown, { input }: Args<{ id: string; reason?: string | null }>, context: GraphQLContext) => {
      const id = idArgument(input.id);
      await refuseUnlessOwn(context, id);
      return (await execute(context, id, { type: "cancelOrder", data: { id, reason: input.reason } })).order;
    },
  },
  Order: {
    createdAt: (order: OrderResult, _: unknown, context: GraphQLContext) => order.createdAt ?? eventTime(context, order.id, 1),
    updatedAt: (order: OrderResult, _: unknown, context: GraphQLContext) => order.updatedAt ?? eventTime(context, order.id, order.version),
  },
};
