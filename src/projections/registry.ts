import { categoriesProjection } from "./categories.ts";
import { ordersProjection } from "./orders.ts";
import { productsProjection } from "./products.ts";
import type { Projection } from "./projection.ts";

export const PROJECTIONS: readonly Projection[] = [categoriesProjection, productsProjection, ordersProjection];

export function projectionNamed(name: string): Projection | undefined {
  return PROJECTIONS.find((p) => p.name === name);
}
