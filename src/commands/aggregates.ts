import { NotFoundError } from "../domain/shared/errors.ts";
import type { AnyAggregateDefinition } from "./aggregate-definition.ts";
import { categoryWriteModel } from "./category-write-model.ts";
import { orderWriteModel } from "./order-write-model.ts";
import { productWriteModel } from "./product-write-model.ts";

const definitions: Record<string, AnyAggregateDefinition> = {
  [categoryWriteModel.decider.aggregateType]: categoryWriteModel,
  [productWriteModel.decider.aggregateType]: productWriteModel,
  [orderWriteModel.decider.aggregateType]: orderWriteModel,
};

export function aggregateDefinition(aggregateType: string): AnyAggregateDefinition {
  const definition = definitions[aggregateType];
  if (!definition) throw new NotFoundError(`unknown aggregate type ${aggregateType}`, { aggregateType });
  return definition;
}

export function aggregateTypes(): string[] {
  return Object.keys(definitions);
}
