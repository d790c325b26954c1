// Execution logs and dashboard figures, kept by the broadcaster shards from
// the reports every operation sends after its response (src/telemetry/).
// Every shard records every report, so asking one is enough.
import type { PubSubMessage } from "../../subscriptions/message-cache.ts";
import { TOPICS } from "../../subscriptions/publisher.ts";
import { broadcasterSettings, pickShard } from "../../subscriptions/settings.ts";
import type { Execution, ExecutionKind } from "../../telemetry/execution.ts";
import { page } from "../arguments.ts";
import type { GraphQLContext } from "../context.ts";

export const telemetryTypeDefs = /* GraphQL */ `
  "One GraphQL operation, recorded after its response."
  type Execution {
    id: ID!
    "The operation's name, or its root fields when it has none."
    name: String!
    "Its first root field."
    field: String!
    durationMs: Float!
    success: Boolean!
    "extensions.code of its first error."
    errorCode: String
    "The request's X-Correlation-Id (also in its events' metadata)."
    correlationId: String
    executedAt: String!
  }

  "Counts since the broadcaster shard started keeping them; rates over the last minute."
  type DashboardStats {
    commandsExecuted: Int!
    queriesExecuted: Int!
    eventsPublished: Int!
    "Sagas started and not yet completed, failed or compensated."
    sagasActive: Int!
    "Commands and queries that answered with an error."
    errors: Int!
    commandsPerSecond: Float!
    queriesPerSecond: Float!
    eventsPerSecond: Float!
    errorsPerSecond: Float!
  }

  extend type Query {
    "The newest mutations, newest first (the last 1000 are kept)."
    commandExecutions(limit: Int = 20): [Execution!]!
    "The newest queries, newest first (the last 1000 are kept)."
    queryExecutions(limit: Int = 20): [Execution!]!
    dashboardStats: DashboardStats!
  }

  extend type Subscription {
    "The dashboard's figures, pushed when one changes, at most four times a second."
    dashboardStatsStream: DashboardStats
  }
`;

function anyShard(context: GraphQLContext) {
  return context.env.BROADCASTER.getByName(pickShard(broadcasterSettings(context.env)));
}

async function executions(context: GraphQLContext, kind: ExecutionKind, limit: number | undefined) {
  const recorded: Execution[] = await anyShard(context).executions(kind, page({ limit }).limit);
  return recorded.map(({ at, ...execution }) => ({ ...execution, executedAt: at }));
}

export const telemetryResolvers = {
  Query: {
    commandExecutions: (_: unknown, args: { limit?: number }, context: GraphQLContext) => executions(context, "command", args.limit),
    queryExecutions: (_: unknown, args: { limit?: number }, context: GraphQLContext) => executions(context, "query", args.limit),
    dashboardStats: (_: unknown, __: unknown, context: GraphQLContext) => anyShard(context).dashboardStats(),
  },
  Subscription: {
    dashboardStatsStream: {
      resolve: (message: PubSubMessage) => (message.topic === TOPICS.dashboard ? message.payload : null),
    },
  },
};
