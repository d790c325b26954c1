import type { GraphQLContext } from "../context.ts";

export const statisticsTypeDefs = /* GraphQL */ `
  type EventStoreRecords {
    totalRecords: Int!
  }

  type CommandDbRecords {
    "Rows in the command-side tables (categories + products)."
    totalRecords: Int!
  }

  type QueryDbRecords {
    categories: Int!
    products: Int!
    orders: Int!
  }

  type SagaCounts {
    "started or compensating"
    active: Int!
    completed: Int!
    "failed or compensated"
    failed: Int!
  }

  type SystemStatistics {
    eventStore: EventStoreRecords!
    commandDb: CommandDbRecords!
    queryDb: QueryDbRecords!
    sagas: SagaCounts!
  }

  extend type Query {
    systemStatistics: SystemStatistics!
  }
`;

interface Counts {
  events: number;
  command_categories: number;
  command_products: number;
  query_categories: number;
  query_products: number;
  query_orders: number;
  sagas_active: number;
  sagas_completed: number;
  sagas_failed: number;
}

export const statisticsResolvers = {
  Query: {
    systemStatistics: async (_: unknown, __: unknown, context: GraphQLContext) => {
      const db = await context.db.get();
      const { rows } = await db.query<Counts>(
        `SELECT (SELECT count(*) FROM event_store.events)::integer AS events,
                (SELECT count(*) FROM command.categories)::integer AS command_categories,
                (SELECT count(*) FROM command.products)::integer AS command_products,
                (SELECT count(*) FROM query.categories)::integer AS query_categories,
                (SELECT count(*) FROM query.products)::integer AS query_products,
                (SELECT count(*) FROM query.orders)::integer AS query_orders,
                (SELECT count(*) FROM event_store.sagas WHERE status IN ('started', 'compensating'))::integer AS sagas_active,
                (SELECT count(*) FROM event_store.sagas WHERE status = 'completed')::integer AS sagas_completed,
                (SELECT count(*) FROM event_store.sagas WHERE status IN ('failed', 'compensated'))::integer AS sagas_failed`,
      );
      const counts = rows[0]!;
      return {
        eventStore: { totalRecords: counts.events },
        commandDb: { totalRecords: counts.command_categories + counts.command_products },
        queryDb: { categories: counts.query_categories, products: counts.query_products, orders: counts.query_orders },
        sagas: { active: counts.sagas_active, completed: counts.sagas_completed, failed: counts.sagas_failed },
      };
    },
  },
};
