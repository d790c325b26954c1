import { categoriesProjection } from "./categories.ts";
import { productsProjection } from "./products.ts";
import type { Projection } from "./projection.ts";

export const PROJECTIONS: readonly Projection[] = [categoriesProjection, productsProjection];

export function projectionNamed(name: string): Projection | undefined {
  return PROJECTIONS.find((p) => p.name === name);
}
