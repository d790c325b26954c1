import { readEventCounts } from "../../stats/event-counts.ts";
import { systemStatistics } from "../../stats/system-statistics.ts";
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

  "Counted by the stats read model from the event log, not by scanning tables."
  type SystemStatistics {
    eventStore: EventStoreRecords!
    commandDb: CommandDbRecords!
    queryDb: QueryDbRecords!
    sagas: SagaCounts!
    "The stats read model's log position: every count is exact as of it (null before it has counted anything)."
    position: String
  }

  extend type Query {
    systemStatistics: SystemStatistics!
  }
`;

export const statisticsResolvers = {
  Query: {
    systemStatistics: async (_: unknown, __: unknown, context: GraphQLContext) => systemStatistics(await readEventCounts(await context.db.get())),
  },
};
