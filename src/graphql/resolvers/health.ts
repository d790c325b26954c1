import { fullHealth } from "../../telemetry/health-report.ts";
import type { GraphQLContext } from "../context.ts";

export const healthTypeDefs = /* GraphQL */ `
  type PostgresHealth {
    ok: Boolean!
    latencyMs: Int
    error: String
  }

  type SchemaHealth {
    "event_store, command or query"
    schema: String!
    ok: Boolean!
    latencyMs: Int
    error: String
  }

  type ConsumerHealth {
    name: String!
    "running | catching_up | rebuilding | stopped | failed"
    status: String!
    eventsBehind: Int!
    msBehind: Int!
  }

  type SagaBacklog {
    "Sagas started or compensating."
    active: Int!
    "Active sagas untouched for five minutes (their step timeouts are far shorter)."
    stalled: Int!
    "Time since the least recently moved active saga last moved."
    oldestActiveAgeMs: Int
  }

  type BroadcasterHealth {
    shard: String!
    ok: Boolean!
    latencyMs: Int
    error: String
    "WebSockets the shard holds."
    sockets: Int
  }

  type Health {
    "ok, or degraded when any part below is down, failed, stopped, stalled or over a minute behind."
    status: String!
    postgres: PostgresHealth!
    time: String!
    schemas: [SchemaHealth!]!
    "Every consumer of the event log: read models, saga manager, publisher, stats."
    projections: [ConsumerHealth!]!
    "Null when Postgres cannot be read."
    sagas: SagaBacklog
    broadcasters: [BroadcasterHealth!]!
  }

  extend type Query {
    "Postgres per schema, consumer lag, saga backlog and broadcaster shards (GET /health answers liveness only)."
    health: Health!
  }
`;

export const healthResolvers = {
  Query: {
    health: (_: unknown, __: unknown, context: GraphQLContext) => fullHealth(context.env, () => context.db.get()),
  },
};
