// Subscriptions are served over WebSockets (graphql-transport-ws) by the
// broadcaster shards (src/subscriptions/), not by this HTTP server: the
// Subscription type is what each socket's subscribe is validated against.
// The pub/sub queries ask one shard: every shard holds the same messages.
import { broadcasterSettings, pickShard } from "../../subscriptions/settings.ts";
import { page } from "../arguments.ts";
import type { GraphQLContext } from "../context.ts";
import type { PubSubMessage } from "../../subscriptions/message-cache.ts";
import { TOPICS } from "../../subscriptions/publisher.ts";

export const subscriptionTypeDefs = /* GraphQL */ `
  "A message on a broadcaster topic; on events, id is the event's log position."
  type PubSubMessage {
    id: ID!
    topic: String!
    payload: JSON!
    timestamp: String!
    source: String!
  }

  type TopicStats {
    topic: String!
    messageCount: Int!
    lastMessageAt: String
    "Over the last minute."
    messagesPerSecond: Float!
  }

  extend type Query {
    "The newest messages the broadcasters hold (of one topic, or all), oldest first."
    pubsubMessages(topic: String, limit: Int): [PubSubMessage!]!
    pubsubStats: [TopicStats!]!
  }

  type Subscription {
    "Every committed event, in log order; after = the last position seen, to resume."
    eventStream(aggregateType: String, eventType: String, after: String): Event
  }
`;

function anyShard(context: GraphQLContext) {
  return context.env.BROADCASTER.getByName(pickShard(broadcasterSettings(context.env)));
}

export const subscriptionResolvers = {
  Query: {
    pubsubMessages: (_: unknown, args: { topic?: string | null; limit?: number | null }, context: GraphQLContext) =>
      anyShard(context).recentMessages(args.topic ?? null, page({ limit: args.limit }).limit),
    pubsubStats: (_: unknown, __: unknown, context: GraphQLContext) => anyShard(context).topicStats(),
  },
  // Run by the broadcaster for each message (the root value); null = not for this subscription.
  Subscription: {
    eventStream: {
      resolve: (message: PubSubMessage, args: { aggregateType?: string | null; eventType?: string | null }) =>
        message.topic === TOPICS.events &&
        (!args.aggregateType || message.payload["aggregateType"] === args.aggregateType) &&
        (!args.eventType || message.payload["eventType"] === args.eventType)
          ? message.payload
          : null,
    },
  },
};
