import { createSchema } from "graphql-yoga";
import type { GraphQLContext } from "./context.ts";
import { healthResolvers, healthTypeDefs } from "./resolvers/health.ts";

// Each area contributes its type definitions and resolvers; `extend type`
// lets them add fields to Query and Mutation.
export function buildSchema() {
  return createSchema<GraphQLContext>({
    typeDefs: [healthTypeDefs],
    resolvers: [healthResolvers],
  });
}
