import type { ProductEvent } from "../domain/product/product.ts";
import { formatMoney } from "../domain/shared/money.ts";
import type { StoredEvent } from "../event-store/index.ts";
import type { Projection } from "./projection.ts";
import type { RowChange, RowValues } from "./row-patches.ts";

export const productsProjection: Projection = {
  name: "products",
  eventTypes: [
    "product.created",
    "product.updated",
    "product.price_changed",
    "product.deleted",
    "product.stock_updated",
    "product.stock_reserved",
    "product.stock_released",
    "product.stock_committed",
  ],
  table: "query.products",
  rowChange: productRowChange,
};

function productRowChange(stored: StoredEvent): RowChange {
  const event = { type: stored.type, data: stored.data } as ProductEvent;
  const at = stored.occurredAt.toISOString();
  const change = (values: RowValues, creates = false): RowChange => ({
    id: event.data.id,
    version: stored.version,
    creates,
    values: { ...values, updated_at: at },
  });
  switch (event.type) {
    case "product.created": {
      const { name, description, categoryId, priceAmount, stockQuantity } = event.data;
      return change(
        { name, description, category_id: categoryId, price: formatMoney(priceAmount), stock_quantity: stockQuantity, reserved_quantity: 0, active: true, created_at: at },
        true,
      );
    }
    case "product.updated": {
      const values: RowValues = {};
      if (event.data.name !== undefined) values.name = event.data.name;
      if (event.data.description !== undefined) values.description = event.data.description;
      if (event.data.categoryId !== undefined) values.category_id = event.data.categoryId;
      return change(values);
    }
    case "product.price_changed":
      return change({ price: formatMoney(event.data.priceAmount) });
    case "product.deleted":
      return change({ active: false });
    case "product.stock_updated":
    case "product.stock_reserved":
    case "product.stock_released":
    case "product.stock_committed":
      return change({ stock_quantity: event.data.stockQuantity, reserved_quantity: event.data.reservedQuantity });
  }
}
