import { categoriesProjection } from "./categories.ts";
import type { Projection } from "./projection.ts";

export const PROJECTIONS: readonly Projection[] = [categoriesProjection];

export function projectionNamed(name: string): Projection | undefined {
  return PROJECTIONS.find((p) => p.name === name);
}
