import type { Decider, DomainCommand, DomainEvent } from "../shared/decider.ts";
import { IllegalStateError, NotFoundError, ValidationError } from "../shared/errors.ts";
import { parseMoney } from "../shared/money.ts";
import { changedOptionalText, changedText, optionalText, requiredId, requiredText } from "../shared/validation.ts";

export type CreateProduct = DomainCommand<
  "createProduct",
  { id: string; name: string; description?: string | null; categoryId: string; price: string; stockQuantity: number }
>;
export type UpdateProduct = DomainCommand<"updateProduct", { id: string; name?: string | null; description?: string | null; categoryId?: string | null }>;
export type ChangeProductPrice = DomainCommand<"changeProductPrice", { id: string; price: string }>;
export type DeleteProduct = DomainCommand<"deleteProduct", { id: string }>;
/** Sets the quantity available to sell (a stock count), not a delta. */
export type UpdateStock = DomainCommand<"updateStock", { id: string; quantity: number }>;
export type ReserveStock = DomainCommand<"reserveStock", { id: string; orderId: string; quantity: number }>;
/** Without a quantity, releases everything the order holds. */
export type ReleaseStock = DomainCommand<"releaseStock", { id: string; orderId: string; quantity?: number }>;
/** Without a quantity, commits everything the order holds. */
export type CommitStock = DomainCommand<"commitStock", { id: string; orderId: string; quantity?: number }>;
export type ProductCommand = CreateProduct | UpdateProduct | ChangeProductPrice | DeleteProduct | UpdateStock | ReserveStock | ReleaseStock | CommitStock;

interface StockLevels {
  id: string;
  /** Available to sell after the event. */
  stockQuantity: number;
  /** Held for orders after the event. */
  reservedQuantity: number;
}

export type ProductCreated = DomainEvent<
  "product.created",
  { id: string; name: string; description: string | null; categoryId: string; priceAmount: number; stockQuantity: number }
>;
export type ProductUpdated = DomainEvent<"product.updated", { id: string; name?: string; description?: string | null; categoryId?: string }>;
export type ProductPriceChanged = DomainEvent<"product.price_changed", { id: string; priceAmount: number; previousPriceAmount: number }>;
export type ProductDeleted = DomainEvent<"product.deleted", { id: string }>;
export type ProductStockUpdated = DomainEvent<"product.stock_updated", StockLevels & { previousStockQuantity: number }>;
export type ProductStockReserved = DomainEvent<"product.stock_reserved", StockLevels & { orderId: string; quantity: number }>;
export type ProductStockReleased = DomainEvent<"product.stock_released", StockLevels & { orderId: string; quantity: number }>;
export type ProductStockCommitted = DomainEvent<"product.stock_committed", StockLevels & { orderId: string; quantity: number }>;
export type ProductEvent =
  | ProductCreated
  | ProductUpdated
  | ProductPriceChanged
  | ProductDeleted
  | ProductStockUpdated
  | ProductStockReserved
  | ProductStockReleased
  | ProductStockCommitted;

export type ProductState =
  | { status: "absent" }
  | {
      status: "active" | "deleted";
      id: string;
      name: string;
      description: string | null;
      categoryId: string;
      priceAmount: number;
      stockQuantity: number;
      /** Units held per order id. */
      reservations: Record<string, number>;
    };

export interface ProductContext {
  /** The named category: null when it does not exist. Only looked up when a category is named. */
  category?: { id: string; active: boolean } | null;
}

/** product.created payloads are at schema version 2 (v1 had a float price, see upcasters.ts). */
export const PRODUCT_EVENT_SCHEMA_VERSIONS: Record<string, number> = { "product.created": 2 };

const NAME = { field: "name", max: 200 };
const DESCRIPTION = { field: "description", max: 5000, multiline: true };
const MAX_STOCK = 1_000_000_000;

export const productDecider: Decider<ProductCommand, ProductEvent, ProductState, ProductContext> = {
  aggregateType: "product",
  stateVersion: 1,
  eventSchemaVersions: PRODUCT_EVENT_SCHEMA_VERSIONS,
  initialState: () => ({ status: "absent" }),
  evolve,
  decide,
};

export function reservedQuantity(state: ProductState): number {
  return state.status === "absent" ? 0 : Object.values(state.reservations).reduce((sum, n) => sum + n, 0);
}

function decide(command: ProductCommand, state: ProductState, context: ProductContext): ProductEvent[] {
  switch (command.type) {
    case "createProduct": {
      const id = requiredId(command.data.id, "id");
      if (state.status !== "absent") throw new IllegalStateError(`product ${id} already exists`, { id }, "PRODUCT_EXISTS");
      const name = requiredText(command.data.name, NAME);
      const description = optionalText(command.data.description, DESCRIPTION);
      const categoryId = requiredId(command.data.categoryId, "categoryId");
      const priceAmount = positivePrice(command.data.price);
      const stockQuantity = quantity(command.data.stockQuantity, "stockQuantity", 0);
      checkCategory(categoryId, context);
      return [{ type: "product.created", data: { id, name, description, categoryId, priceAmount, stockQuantity } }];
    }
    case "updateProduct": {
      const current = requireActive(state, command.data.id);
      const changes: ProductUpdated["data"] = { id: current.id };
      const name = changedText(command.data.name, current.name, NAME);
      if (name !== undefined) changes.name = name;
      const description = changedOptionalText(command.data.description, current.description, DESCRIPTION);
      if (description !== undefined) changes.description = description;
      if (command.data.categoryId !== undefined && command.data.categoryId !== null) {
        const categoryId = requiredId(command.data.categoryId, "categoryId");
        if (categoryId !== current.categoryId) {
          checkCategory(categoryId, context);
          changes.categoryId = categoryId;
        }
      }
      return Object.keys(changes).length > 1 ? [{ type: "product.updated", data: changes }] : [];
    }
    case "changeProductPrice": {
      const current = requireActive(state, command.data.id);
      const priceAmount = positivePrice(command.data.price);
      if (priceAmount === current.priceAmount) return [];
      return [{ type: "product.price_changed", data: { id: current.id, priceAmount, previousPriceAmount: current.priceAmount } }];
    }
    case "deleteProduct": {
      const current = requireActive(state, command.data.id);
      return [{ type: "product.deleted", data: { id: current.id } }];
    }
    case "updateStock": {
      const current = requireActive(state, command.data.id);
      const stockQuantity = quantity(command.data.quantity, "quantity", 0);
      if (stockQuantity === current.stockQuantity) return [];
      return [
        {
          type: "product.stock_updated",
          data: { ...levels(current, stockQuantity), previousStockQuantity: current.stockQuantity },
        },
      ];
    }
    case "reserveStock": {
      const current = requireActive(state, command.data.id);
      const orderId = requiredId(command.data.orderId, "orderId");
      const wanted = quantity(command.data.quantity, "quantity", 1);
      if (wanted > current.stockQuantity) {
        const shortfall = wanted - current.stockQuantity;
        throw new IllegalStateError(
          `only ${current.stockQuantity} of product ${current.id} available, ${wanted} requested (short by ${shortfall})`,
          { productId: current.id, requested: wanted, available: current.stockQuantity, shortfall },
          "INSUFFICIENT_STOCK",
        );
      }
      return [{ type: "product.stock_reserved", data: { ...levels(current, current.stockQuantity - wanted, wanted), orderId, quantity: wanted } }];
    }
    case "releaseStock":
    case "commitStock": {
      const current = requireExisting(state, command.data.id);
      const orderId = requiredId(command.data.orderId, "orderId");
      const held = current.reservations[orderId] ?? 0;
      const amount = command.data.quantity === undefined ? held : quantity(command.data.quantity, "quantity", 1);
      if (amount > held) {
        throw new IllegalStateError(
          `order ${orderId} holds ${held} of product ${current.id}, cannot ${command.type === "releaseStock" ? "release" : "commit"} ${amount}`,
          { productId: current.id, orderId, held, requested: amount },
          "RESERVATION_EXCEEDED",
        );
      }
      if (amount === 0) return [];
      if (command.type === "releaseStock") {
        return [{ type: "product.stock_released", data: { ...levels(current, current.stockQuantity + amount, -amount), orderId, quantity: amount } }];
      }
      return [{ type: "product.stock_committed", data: { ...levels(current, current.stockQuantity, -amount), orderId, quantity: amount } }];
    }
  }
}

function evolve(state: ProductState, event: ProductEvent): ProductState {
  if (event.type === "product.created") return { status: "active", ...event.data, reservations: {} };
  if (state.status === "absent") return state;
  switch (event.type) {
    case "product.updated":
      return { ...state, ...event.data };
    case "product.price_changed":
      return { ...state, priceAmount: event.data.priceAmount };
    case "product.deleted":
      return { ...state, status: "deleted" };
    case "product.stock_updated":
      return { ...state, stockQuantity: event.data.stockQuantity };
    case "product.stock_reserved":
    case "product.stock_released":
    case "product.stock_committed": {
      const change = event.type === "product.stock_reserved" ? event.data.quantity : -event.data.quantity;
      const held = (state.reservations[event.data.orderId] ?? 0) + change;
      const reservations = { ...state.reservations };
      if (held > 0) reservations[event.data.orderId] = held;
      else delete reservations[event.data.orderId];
      return { ...state, stockQuantity: event.data.stockQuantity, reservations };
    }
  }
}

type ExistingProduct = Exclude<ProductState, { status: "absent" }>;

function levels(current: ExistingProduct, stockQuantity: number, reservedChange = 0): StockLevels {
  return { id: current.id, stockQuantity, reservedQuantity: reservedQuantity(current) + reservedChange };
}

function requireExisting(state: ProductState, id: string): ExistingProduct {
  if (state.status === "absent") throw new NotFoundError(`product ${id} does not exist`, { productId: id }, "PRODUCT_NOT_FOUND");
  return state;
}

function requireActive(state: ProductState, id: string): ExistingProduct {
  const current = requireExisting(state, id);
  if (current.status === "deleted") throw new IllegalStateError(`product ${id} is deleted`, { productId: id }, "PRODUCT_DELETED");
  return current;
}

function positivePrice(price: string): number {
  const amount = parseMoney(String(price ?? ""), "price");
  if (amount <= 0) throw new ValidationError("price must be greater than zero", { field: "price" });
  return amount;
}

function quantity(value: number, field: string, min: number): number {
  if (!Number.isInteger(value) || value < min || value > MAX_STOCK) {
    throw new ValidationError(`${field} must be a whole number from ${min} to ${MAX_STOCK}`, { field, value });
  }
  return value;
}

function checkCategory(categoryId: string, context: ProductContext): void {
  const category = context.category;
  if (!category) throw new NotFoundError(`category ${categoryId} does not exist`, { categoryId }, "CATEGORY_NOT_FOUND");
  if (!category.active) throw new IllegalStateError(`category ${categoryId} is deleted`, { categoryId }, "CATEGORY_DELETED");
}
