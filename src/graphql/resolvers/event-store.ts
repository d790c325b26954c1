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
  }

  extend type Query {
    eventStoreStats: EventStoreStats!
  }
`;

export const eventStoreResolvers = {
  Query: {
    eventStoreStats: async (_: unknown, __: unknown, context: GraphQLContext) => {
      const db = await context.db.get();
      const { rows } = await db.query<{ event_type: string; count: number; latest: string | null }>(
        `SELECT event_type, count(*)::integer AS count, max(global_sequence)::text AS latest
         FROM event_store.events GROUP BY event_type ORDER BY event_type`,
      );
      return {
        totalEvents: rows.reduce((sum, row) => sum + row.count, 0),
        eventsByType: rows.map((row) => ({ eventType: row.event_type, count: row.count })),
        latestSequence: rows.reduce<string | null>((max, row) => (max === null || BigInt(row.latest!) > BigInt(max) ? row.latest : max), null),
      };
    },
  },
};
