import type { Decider, DomainCommand, DomainEvent } from "../shared/decider.ts";
import { IllegalStateError, NotFoundError, ValidationError } from "../shared/errors.ts";
import { formatMoney, multiplyMoney } from "../shared/money.ts";
import { optionalText, requiredId, requiredText, type TextRule } from "../shared/validation.ts";

export interface OrderItemInput {
  productId: string;
  quantity: number;
}

export type CreateOrder = DomainCommand<"createOrder", { id: string; userId: string; items: OrderItemInput[] }>;
export type RecordInventoryReserved = DomainCommand<"recordInventoryReserved", { id: string }>;
/** `amount` is in minor units and must be the order's total. */
export type RecordPaymentProcessed = DomainCommand<"recordPaymentProcessed", { id: string; paymentId: string; amount: number }>;
export type RecordShipment = DomainCommand<"recordShipment", { id: string; trackingNumber: string }>;
export type ConfirmOrder = DomainCommand<"confirmOrder", { id: string }>;
export type CancelOrder = DomainCommand<"cancelOrder", { id: string; reason?: string | null }>;
export type StartCompensation = DomainCommand<"startCompensation", { id: string; reason: string; failedStep: string }>;
export type FailOrder = DomainCommand<"failOrder", { id: string; reason: string }>;
export type OrderCommand =
  | CreateOrder
  | RecordInventoryReserved
  | RecordPaymentProcessed
  | RecordShipment
  | ConfirmOrder
  | CancelOrder
  | StartCompensation
  | FailOrder;

/** One line of an order, priced when the order was placed (minor units). */
export interface OrderLine {
  productId: string;
  /** The product's name at order time. */
  name: string;
  quantity: number;
  unitPriceAmount: number;
  lineTotalAmount: number;
}

export type OrderCreated = DomainEvent<"order.created", { id: string; userId: string; items: OrderLine[]; totalAmount: number }>;
/** Every item of the order is reserved. */
export type OrderItemReserved = DomainEvent<"order.item_reserved", { id: string }>;
export type OrderPaymentProcessed = DomainEvent<"order.payment_processed", { id: string; paymentId: string; amount: number }>;
export type OrderShipped = DomainEvent<"order.shipped", { id: string; trackingNumber: string }>;
export type OrderConfirmed = DomainEvent<"order.confirmed", { id: string }>;
export type OrderCancelled = DomainEvent<"order.cancelled", { id: string; reason: string | null }>;
export type OrderCompensationStarted = DomainEvent<"order.compensation_started", { id: string; reason: string; failedStep: string }>;
export type OrderFailed = DomainEvent<"order.failed", { id: string; reason: string }>;
export type OrderEvent =
  | OrderCreated
  | OrderItemReserved
  | OrderPaymentProcessed
  | OrderShipped
  | OrderConfirmed
  | OrderCancelled
  | OrderCompensationStarted
  | OrderFailed;

export const ORDER_STATUSES = ["pending", "inventory_reserved", "payment_processed", "shipped", "confirmed", "cancelled", "failed"] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export type OrderState =
  | { status: "absent" }
  | {
      status: OrderStatus;
      id: string;
      userId: string;
      items: OrderLine[];
      totalAmount: number;
      paymentId: string | null;
      trackingNumber: string | null;
      /** Set once the saga started undoing its steps: only cancel or fail may follow. */
      compensation: { reason: string; failedStep: string } | null;
    };

export interface OrderProductFacts {
  id: string;
  /** Current name, copied into the order line. */
  name: string;
  priceAmount: number;
  active: boolean;
}

export interface OrderContext {
  /** The products named by createOrder, by id: null when one does not exist. */
  products?: Record<string, OrderProductFacts | null>;
}

export const USER_ID: TextRule = { field: "userId", max: 200 };
export const MAX_ORDER_ITEMS = 100;
export const MAX_ITEM_QUANTITY = 10_000;
/** query.orders.total_amount is numeric(14,2): a larger total could never be shown. */
export const MAX_ORDER_TOTAL = 99_999_999_999_999;
const REASON: TextRule = { field: "reason", max: 500, multiline: true };

export const orderDecider: Decider<OrderCommand, OrderEvent, OrderState, OrderContext> = {
  aggregateType: "order",
  stateVersion: 1,
  initialState: () => ({ status: "absent" }),
  evolve,
  decide,
};

type ExistingOrder = Exclude<OrderState, { status: "absent" }>;

/** The forward path of the saga: each step command moves the order one status on. */
const OPEN: readonly OrderStatus[] = ["pending", "inventory_reserved", "payment_processed", "shipped"];

/** Confirmed, cancelled or failed: every command on it is refused from now on. */
export function isOrderClosed(state: OrderState): boolean {
  return state.status !== "absent" && !OPEN.includes(state.status);
}

function decide(command: OrderCommand, state: OrderState, context: OrderContext): OrderEvent[] {
  switch (command.type) {
    case "createOrder": {
      const id = requiredId(command.data.id, "id");
      if (state.status !== "absent") throw new IllegalStateError(`order ${id} already exists`, { id }, "ORDER_EXISTS");
      const userId = requiredText(command.data.userId, USER_ID);
      const items = priceItems(orderItems(command.data.items), context);
      const totalAmount = orderTotal(items);
      return [{ type: "order.created", data: { id, userId, items, totalAmount } }];
    }
    case "recordInventoryReserved": {
      const current = requireStep(state, command, "pending");
      return [{ type: "order.item_reserved", data: { id: current.id } }];
    }
    case "recordPaymentProcessed": {
      const current = requireStep(state, command, "inventory_reserved");
      const paymentId = requiredText(command.data.paymentId, { field: "paymentId", max: 200 });
      const amount = command.data.amount;
      if (!Number.isSafeInteger(amount) || amount < 0) throw new ValidationError("amount must be a whole number of minor units", { field: "amount", value: amount });
      if (amount !== current.totalAmount) {
        throw new IllegalStateError(
          `payment of ${amount} does not match order total ${current.totalAmount}`,
          { id: current.id, expected: current.totalAmount, actual: amount },
          "PAYMENT_AMOUNT_MISMATCH",
        );
      }
      return [{ type: "order.payment_processed", data: { id: current.id, paymentId, amount } }];
    }
    case "recordShipment": {
      const current = requireStep(state, command, "payment_processed");
      const trackingNumber = requiredText(command.data.trackingNumber, { field: "trackingNumber", max: 200 });
      return [{ type: "order.shipped", data: { id: current.id, trackingNumber } }];
    }
    case "confirmOrder": {
      const current = requireStep(state, command, "shipped");
      return [{ type: "order.confirmed", data: { id: current.id } }];
    }
    case "cancelOrder": {
      // The saga compensates a failed confirm step with a cancel, so cancelling stays open while compensating.
      const current = requireStatus(state, command, OPEN, { whileCompensating: true });
      const reason = optionalText(command.data.reason, REASON);
      return [{ type: "order.cancelled", data: { id: current.id, reason } }];
    }
    case "startCompensation": {
      const current = requireStatus(state, command, OPEN);
      const reason = requiredText(command.data.reason, REASON);
      const failedStep = requiredText(command.data.failedStep, { field: "failedStep", max: 100 });
      return [{ type: "order.compensation_started", data: { id: current.id, reason, failedStep } }];
    }
    case "failOrder": {
      const current = requireStatus(state, command, OPEN, { whileCompensating: true });
      const reason = requiredText(command.data.reason, REASON);
      return [{ type: "order.failed", data: { id: current.id, reason } }];
    }
  }
}

function evolve(state: OrderState, event: OrderEvent): OrderState {
  if (event.type === "order.created") {
    const { id, userId, items, totalAmount } = event.data;
    return { status: "pending", id, userId, items, totalAmount, paymentId: null, trackingNumber: null, compensation: null };
  }
  if (state.status === "absent") return state;
  switch (event.type) {
    case "order.item_reserved":
      return { ...state, status: "inventory_reserved" };
    case "order.payment_processed":
      return { ...state, status: "payment_processed", paymentId: event.data.paymentId };
    case "order.shipped":
      return { ...state, status: "shipped", trackingNumber: event.data.trackingNumber };
    case "order.confirmed":
      return { ...state, status: "confirmed" };
    case "order.cancelled":
      return { ...state, status: "cancelled" };
    case "order.compensation_started":
      return { ...state, compensation: { reason: event.data.reason, failedStep: event.data.failedStep } };
    case "order.failed":
      return { ...state, status: "failed" };
  }
}

/** A forward saga step: only from the status right before it, and not once compensation began. */
function requireStep(state: OrderState, command: OrderCommand, from: OrderStatus): ExistingOrder {
  return requireStatus(state, command, [from]);
}

function requireStatus(
  state: OrderState,
  command: OrderCommand,
  allowed: readonly OrderStatus[],
  options: { whileCompensating?: boolean } = {},
): ExistingOrder {
  const id = command.data.id;
  if (state.status === "absent") throw new NotFoundError(`order ${id} does not exist`, { orderId: id }, "ORDER_NOT_FOUND");
  if (allowed.includes(state.status) && (options.whileCompensating || !state.compensation)) return state;
  if (state.status === "cancelled") throw new IllegalStateError(`order ${id} is already cancelled`, { orderId: id }, "ORDER_ALREADY_CANCELLED");
  if (state.status === "confirmed") throw new IllegalStateError(`order ${id} is already confirmed`, { orderId: id }, "ORDER_ALREADY_CONFIRMED");
  const compensating = state.compensation !== null;
  throw new IllegalStateError(
    `order ${id} is ${state.status}${compensating ? " and compensating" : ""}: ${command.type} is not allowed`,
    { orderId: id, status: state.status, command: command.type, ...(compensating ? { compensating } : {}) },
    "INVALID_ORDER_STATE",
  );
}

/** Checks the shape of the requested items: 1..100 lines, each product once, whole quantities. */
function orderItems(items: readonly OrderItemInput[] | undefined | null): OrderItemInput[] {
  if (!Array.isArray(items) || items.length === 0 || items.length > MAX_ORDER_ITEMS) {
    throw new ValidationError(`an order needs 1 to ${MAX_ORDER_ITEMS} items`, { field: "items", max: MAX_ORDER_ITEMS });
  }
  const seen = new Set<string>();
  return items.map((item, index) => {
    const productId = requiredId(item?.productId, `items.${index}.productId`);
    if (seen.has(productId)) {
      throw new ValidationError(`product ${productId} appears more than once: put its whole quantity on one line`, { field: "items", productId });
    }
    seen.add(productId);
    const quantity = item.quantity;
    if (!Number.isInteger(quantity) || quantity < 1 || quantity > MAX_ITEM_QUANTITY) {
      throw new ValidationError(`quantity must be a whole number from 1 to ${MAX_ITEM_QUANTITY}`, {
        field: `items.${index}.quantity`,
        value: quantity,
      });
    }
    return { productId, quantity };
  });
}

/** Prices each line from the products as they are now: the order keeps these prices for good. */
function priceItems(items: readonly OrderItemInput[], context: OrderContext): OrderLine[] {
  return items.map(({ productId, quantity }) => {
    const product = context.products?.[productId];
    if (!product) throw new NotFoundError(`product ${productId} does not exist`, { productId }, "PRODUCT_NOT_FOUND");
    if (!product.active) throw new IllegalStateError(`product ${productId} is deleted`, { productId }, "PRODUCT_DELETED");
    const lineTotalAmount = multiplyMoney(product.priceAmount, quantity);
    return { productId, name: product.name, quantity, unitPriceAmount: product.priceAmount, lineTotalAmount };
  });
}

function orderTotal(items: readonly OrderLine[]): number {
  let total = 0;
  for (const item of items) {
    // Checked on every line so the running sum stays a safe integer.
    total += item.lineTotalAmount;
    if (total > MAX_ORDER_TOTAL) throw new ValidationError("order total is too large", { field: "items", max: MAX_ORDER_TOTAL });
  }
  return total;
}

/** An order line as clients and the read model show it: money as exact decimal strings. */
export interface OrderItemView {
  productId: string;
  productName: string;
  quantity: number;
  unitPrice: string;
  lineTotal: string;
}

export function orderItemView(line: OrderLine): OrderItemView {
  return {
    productId: line.productId,
    productName: line.name,
    quantity: line.quantity,
    unitPrice: formatMoney(line.unitPriceAmount),
    lineTotal: formatMoney(line.lineTotalAmount),
  };
}
