import { checkHealth } from "../../http/health.ts";
import type { GraphQLContext } from "../context.ts";

export const healthTypeDefs = /* GraphQL */ `
  type PostgresHealth {
    ok: Boolean!
    latencyMs: Int
    error: String
  }

  type Health {
    status: String!
    postgres: PostgresHealth!
    time: String!
  }

  extend type Query {
    "Liveness of the API and its database."
    health: Health!
  }
`;

export const healthResolvers = {
  Query: {
    health: (_: unknown, __: unknown, context: GraphQLContext) => checkHealth(() => context.db.get()),
  },
};
