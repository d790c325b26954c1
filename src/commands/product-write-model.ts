import { sql } from "drizzle-orm";
import { formatMoney } from "../domain/shared/money.ts";
import { isUuid } from "../domain/shared/validation.ts";
import {
  productDecider,
  reservedQuantity,
  type ProductCommand,
  type ProductContext,
  type ProductEvent,
  type ProductState,
} from "../domain/product/product.ts";
import type { Queryable } from "../event-store/index.ts";
import type { AggregateDefinition } from "./aggregate-definition.ts";

export interface ProductView {
  id: string;
  name: string;
  description: string | null;
  categoryId: string;
  price: string;
  stockQuantity: number;
  reservedQuantity: number;
  active: boolean;
  version: number;
}

export const productWriteModel: AggregateDefinition<ProductCommand, ProductEvent, ProductState, ProductContext> = {
  decider: productDecider,

  async loadContext(db, command) {
    const categoryId = command.type === "createProduct" || command.type === "updateProduct" ? command.data.categoryId : undefined;
    // A malformed id is left for decide to reject.
    return isUuid(categoryId) ? { category: await categoryFacts(db, categoryId) } : {};
  },

  alongside(events, state, version) {
    const checks = events.flatMap((event) =>
      (event.type === "product.created" || event.type === "product.updated") && event.data.categoryId
        ? [sql`SELECT command.check_product_category(${event.data.categoryId}::uuid)`]
        : [],
    );
    if (state.status === "absent") return checks;
    return [
      ...checks,
      sql`INSERT INTO command.products (id, name, category_id, price_amount, stock_quantity, reserved_quantity, active, version)
          VALUES (${state.id}::uuid, ${state.name}, ${state.categoryId}::uuid, ${state.priceAmount}, ${state.stockQuantity},
                  ${reservedQuantity(state)}, ${state.status === "active"}, ${version})
          ON CONFLICT (id) DO UPDATE SET name = excluded.name, category_id = excluded.category_id, price_amount = excluded.price_amount,
            stock_quantity = excluded.stock_quantity, reserved_quantity = excluded.reserved_quantity, active = excluded.active,
            version = excluded.version, updated_at = now()
          WHERE command.products.version < excluded.version
          RETURNING id`,
    ];
  },

  view(state, version): ProductView | null {
    if (state.status === "absent") return null;
    const { id, name, description, categoryId, stockQuantity } = state;
    return {
      id,
      name,
      description,
      categoryId,
      price: formatMoney(state.priceAmount),
      stockQuantity,
      reservedQuantity: reservedQuantity(state),
      active: state.status === "active",
      version,
    };
  },
};

async function categoryFacts(db: Queryable, categoryId: string): Promise<ProductContext["category"]> {
  const { rows } = await db.query<{ id: string; active: boolean }>("SELECT id::text AS id, active FROM command.categories WHERE id = $1::uuid", [
    categoryId,
  ]);
  return rows[0] ?? null;
}
