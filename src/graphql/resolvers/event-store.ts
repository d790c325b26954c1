import { readEventCounts } from "../../stats/event-counts.ts";
import type { GraphQLContext } from "../context.ts";

export const eventStoreTypeDefs = /* GraphQL */ `
  type EventTypeCount {
    eventType: String!
    count: Int!
  }

  type EventStoreStats {
    totalEvents: Int!
    eventsByType: [EventTypeCount!]!
    "global_sequence of the newest event, as a string."
    latestSequence: String
    "The stats read model's log position: the counts are exact as of it (null before it has counted anything)."
    position: String
  }

  extend type Query {
    eventStoreStats: EventStoreStats!
  }
`;

export const eventStoreResolvers = {
  Query: {
    eventStoreStats: async (_: unknown, __: unknown, context: GraphQLContext) => {
      const counts = await readEventCounts(await context.db.get());
      return {
        totalEvents: counts.total,
        eventsByType: [...counts.byType].map(([eventType, count]) => ({ eventType, count })),
        latestSequence: counts.latestSequence,
        position: counts.position,
      };
    },
  },
};
