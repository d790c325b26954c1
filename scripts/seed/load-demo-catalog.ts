// Loads the demo catalog through the public GraphQL API, parents before
// children. Every mutation carries a deterministic Idempotency-Key, so a
// second run gets the same ids back and writes nothing.
import {
  DEMO_CATEGORIES,
  DEMO_ORDERS,
  DEMO_PRICE_HISTORY,
  DEMO_PRODUCTS,
  DEMO_STOCK_UPDATES,
  SEED_VERSION,
  type DemoCategory,
} from "./demo-catalog.ts";
import { SeedError, type GraphQLClient } from "./graphql-client.ts";

const TOO_LATE_TO_CANCEL = new Set(["ORDER_ALREADY_CONFIRMED", "ORDER_ALREADY_CANCELLED"]);

/** Independent creates in flight at once: quick, without flooding a local `wrangler dev`. */
const BATCH_SIZE = 8;

export interface LoadedCatalog {
  categories: number;
  products: number;
  priceChanges: number;
  stockUpdates: number;
  orders: number;
  cancelledOrders: number;
  /** Position of the last write: a query with this minPosition sees all of it. */
  lastPosition: string | undefined;
}

type Ids = Map<string, string>;

export async function loadDemoCatalog(graphql: GraphQLClient): Promise<LoadedCatalog> {
  const key = (...parts: Array<string | number>) => [SEED_VERSION, ...parts].join(":");

  const categoryIds: Ids = new Map();
  for (const level of categoryLevels(DEMO_CATEGORIES)) {
    await inBatches(level, async (category) => {
      const parentId = category.parent ? idOf(categoryIds, category.parent) : null;
      const { data } = await graphql<{ createCategory: { id: string } }>(
        CREATE_CATEGORY,
        { input: { name: category.name, description: category.description, parentId } },
        { idempotencyKey: key("category", category.slug) },
      );
      categoryIds.set(category.slug, data.createCategory.id);
    });
  }

  const productIds: Ids = new Map();
  await inBatches(DEMO_PRODUCTS, async ({ slug, category, name, description, price, stock }) => {
    const input = { name, description, categoryId: idOf(categoryIds, category), price, stockQuantity: stock };
    const { data } = await graphql<{ createProduct: { id: string } }>(CREATE_PRODUCT, { input }, { idempotencyKey: key("product", slug) });
    productIds.set(slug, data.createProduct.id);
  });

  // One product's prices in order; different products side by side.
  await inBatches(DEMO_PRICE_HISTORY, async ({ product, prices }) => {
    for (const [index, price] of prices.entries()) {
      const input = { id: idOf(productIds, product), price };
      await graphql(CHANGE_PRICE, { input }, { idempotencyKey: key("price", product, index + 1) });
    }
  });
  await inBatches(DEMO_STOCK_UPDATES, async ({ product, quantity }) => {
    const input = { id: idOf(productIds, product), quantity };
    await graphql(UPDATE_STOCK, { input }, { idempotencyKey: key("stock", product, 1) });
  });

  const orderIds: string[] = [];
  await inBatches(DEMO_ORDERS.map((order, index) => ({ ...order, number: index + 1 })), async ({ userId, items, number }) => {
    const input = { userId, items: items.map(({ product, quantity }) => ({ productId: idOf(productIds, product), quantity })) };
    const { data } = await graphql<{ createOrder: { order: { id: string } | null } }>(CREATE_ORDER, { input }, { idempotencyKey: key("order", number) });
    if (!data.createOrder.order) throw new Error(`createOrder ${number} answered without an order`);
    orderIds[number - 1] = data.createOrder.order.id;
  });

  // Last, one at a time: the final answer's position is then the newest of the run.
  let lastPosition: string | undefined;
  const cancellations = DEMO_ORDERS.flatMap((order, index) => (order.cancelReason ? [{ number: index + 1, reason: order.cancelReason }] : []));
  let cancelled = 0;
  for (const { number, reason } of cancellations) {
    const input = { id: orderIds[number - 1], reason };
    try {
      ({ position: lastPosition } = await graphql(CANCEL_ORDER, { input }, { idempotencyKey: key("cancel", number) }));
      cancelled++;
    } catch (error) {
      // The order's saga got there first (a run interrupted between the order and its cancel): it stays as it ended.
      if (!(error instanceof SeedError && TOO_LATE_TO_CANCEL.has(error.code ?? ""))) throw error;
    }
  }

  return {
    categories: categoryIds.size,
    products: productIds.size,
    priceChanges: DEMO_PRICE_HISTORY.reduce((sum, history) => sum + history.prices.length, 0),
    stockUpdates: DEMO_STOCK_UPDATES.length,
    orders: orderIds.length,
    cancelledOrders: cancelled,
    lastPosition,
  };
}

/** Categories grouped by depth: roots first, so every parent id is known before its children are created. */
export function categoryLevels(categories: readonly DemoCategory[]): DemoCategory[][] {
  const levels: DemoCategory[][] = [];
  const placed = new Set<string>();
  let remaining = [...categories];
  while (remaining.length > 0) {
    const level = remaining.filter((category) => !category.parent || placed.has(category.parent));
    if (level.length === 0) throw new Error(`categories with a missing parent: ${remaining.map((c) => c.slug).join(", ")}`);
    for (const category of level) placed.add(category.slug);
    levels.push(level);
    remaining = remaining.filter((category) => !placed.has(category.slug));
  }
  return levels;
}

async function inBatches<T>(items: readonly T[], work: (item: T) => Promise<void>): Promise<void> {
  for (let start = 0; start < items.length; start += BATCH_SIZE) {
    await Promise.all(items.slice(start, start + BATCH_SIZE).map(work));
  }
}

function idOf(ids: Ids, slug: string): string {
  const id = ids.get(slug);
  if (!id) throw new Error(`demo catalog: "${slug}" is used before it was created`);
  return id;
}

const CREATE_CATEGORY = /* GraphQL */ `
  mutation SeedCategory($input: CreateCategoryInput!) {
    createCategory(input: $input) { id }
  }
`;
const CREATE_PRODUCT = /* GraphQL */ `
  mutation SeedProduct($input: CreateProductInput!) {
    createProduct(input: $input) { id }
  }
`;
const CHANGE_PRICE = /* GraphQL */ `
  mutation SeedPriceChange($input: ChangeProductPriceInput!) {
    changeProductPrice(input: $input) { id price }
  }
`;
const UPDATE_STOCK = /* GraphQL */ `
  mutation SeedStockUpdate($input: UpdateStockInput!) {
    updateStock(input: $input) { id stockQuantity }
  }
`;
const CREATE_ORDER = /* GraphQL */ `
  mutation SeedOrder($input: CreateOrderInput!) {
    createOrder(input: $input) { order { id } }
  }
`;
const CANCEL_ORDER = /* GraphQL */ `
  mutation SeedCancelOrder($input: CancelOrderInput!) {
    cancelOrder(input: $input) { id status }
  }
`;
