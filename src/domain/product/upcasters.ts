import type { EventUpcaster } from "../shared/upcaster.ts";

/** The first product.created shape: a float price and a `stock` field. */
interface ProductCreatedV1 {
  id: string;
  name: string;
  description?: string | null;
  categoryId: string;
  price: number;
  stock: number;
}

export const productUpcasters: EventUpcaster[] = [
  {
    eventType: "product.created",
    fromSchemaVersion: 1,
    upcast: (data) => {
      const { price, stock, description, ...rest } = data as ProductCreatedV1;
      // Math.round undoes float noise such as 19.99 * 100 = 1998.9999999999998.
      return { ...rest, description: description ?? null, priceAmount: Math.round(price * 100), stockQuantity: stock };
    },
  },
];
