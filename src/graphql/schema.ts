import { defaultFieldResolver, type GraphQLSchema } from "graphql";
import { createSchema } from "graphql-yoga";
import type { GraphQLContext } from "./context.ts";
import { categoryResolvers, categoryTypeDefs } from "./resolvers/categories.ts";
import { eventStoreResolvers, eventStoreTypeDefs } from "./resolvers/event-store.ts";
import { eventResolvers, eventTypeDefs } from "./resolvers/events.ts";
import { healthResolvers, healthTypeDefs } from "./resolvers/health.ts";
import { orderResolvers, orderTypeDefs } from "./resolvers/orders.ts";
import { productResolvers, productTypeDefs } from "./resolvers/products.ts";
import { projectionResolvers, projectionTypeDefs } from "./resolvers/projections.ts";
import { sagaResolvers, sagaTypeDefs } from "./resolvers/sagas.ts";
import { statisticsResolvers, statisticsTypeDefs } from "./resolvers/statistics.ts";
import { subscriptionResolvers, subscriptionTypeDefs } from "./resolvers/subscriptions.ts";
import { telemetryResolvers, telemetryTypeDefs } from "./resolvers/telemetry.ts";
import { scalarResolvers, scalarTypeDefs } from "./scalars.ts";

const rootTypeDefs = /* GraphQL */ `
  type Query
  type Mutation
`;

// Each area contributes its type definitions and resolvers; `extend type`
// lets them add fields to Query and Mutation.
export function buildSchema() {
  return scopeMutationFields(
    createSchema<GraphQLContext>({
      typeDefs: [rootTypeDefs, scalarTypeDefs, healthTypeDefs, categoryTypeDefs, productTypeDefs, orderTypeDefs, eventStoreTypeDefs, eventTypeDefs, statisticsTypeDefs, projectionTypeDefs, sagaTypeDefs, subscriptionTypeDefs, telemetryTypeDefs],
      resolvers: [scalarResolvers, healthResolvers, categoryResolvers, productResolvers, orderResolvers, eventStoreResolvers, eventResolvers, statisticsResolvers, projectionResolvers, sagaResolvers, subscriptionResolvers, telemetryResolvers],
    }),
  );
}

// Top-level mutation fields run one after another (GraphQL spec), so the
// context can name the one running; commandOptions scopes the request's
// Idempotency-Key by it.
function scopeMutationFields<Schema extends GraphQLSchema>(schema: Schema): Schema {
  for (const field of Object.values(schema.getMutationType()?.getFields() ?? {})) {
    const resolve = field.resolve ?? defaultFieldResolver;
    field.resolve = (source, args, context: GraphQLContext, info) => {
      context.mutationField = String(info.path.key);
      return resolve(source, args, context, info);
    };
  }
  return schema;
}
