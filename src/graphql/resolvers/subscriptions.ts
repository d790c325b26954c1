// Subscriptions are served over WebSockets (graphql-transport-ws) by the
// broadcaster shards (src/subscriptions/), not by this HTTP server: the
// Subscription type is what each socket's subscribe is validated against.
// The pub/sub queries ask one shard: every shard holds the same messages.
import { broadcasterSettings, pickShard } from "../../subscriptions/settings.ts";
import { page } from "../arguments.ts";
import type { GraphQLContext } from "../context.ts";
import type { PubSubMessage } from "../../subscriptions/message-cache.ts";
import { TOPICS } from "../../subscriptions/publisher.ts";
import { toSagaUpdate } from "./saga-updates.ts";

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

  "A saga's progress: one event of its stream, as the sagas topic carries it."
  type SagaUpdate {
    "The event's log position: pass it as after to resume."
    position: String!
    sagaId: ID!
    sagaType: String!
    "order_saga.started, order_saga.step_started, inventory.reserved, payment.failed, order_saga.compensation_started, ..."
    eventType: String!
    "The saga's status after this event where the event sets it (started, compensating, completed, failed, compensated); null where it stays as it was."
    status: String
    "The step the event is about: reserve_inventory, process_payment, arrange_shipping, confirm_order, or a compensation."
    step: String
    attempt: Int
    "Why a step failed, why compensation started, or why the saga failed."
    failure: SagaFailure
    "Set on order_saga.started; the saga query has it for every saga."
    orderId: ID
    occurredAt: String!
    eventData: JSON!
  }

  type Subscription {
    """
    Every committed event, in log order. after = the last position seen: first
    what was missed, then live (error CURSOR_TOO_OLD when the broadcaster no
    longer holds all of it: re-query, then subscribe without after).
    """
    eventStream(aggregateType: String, eventType: String, after: String): Event
    "Every message on a topic (events, sagas, ...); after = the last id seen, as on eventStream."
    pubsubStream(topic: String!, after: String): PubSubMessage
    "Saga progress, in log order; after = the last position seen, as on eventStream."
    sagaUpdates(sagaType: String, after: String): SagaUpdate
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
  // The broadcaster routes messages by topic before (src/subscriptions/subscription-target.ts).
  Subscription: {
    pubsubStream: {
      resolve: (message: PubSubMessage, args: { topic: string }) => (message.topic === args.topic ? message : null),
    },
    sagaUpdates: {
      resolve: (message: PubSubMessage, args: { sagaType?: string | null }) =>
        message.topic === TOPICS.sagas && (!args.sagaType || message.payload["aggregateType"] === args.sagaType) ? toSagaUpdate(message.payload) : null,
    },
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
