import { IllegalStateError, NotFoundError, ValidationError, deserializeError } from "../../domain/shared/errors.ts";
import { CONSUMER_NAMES } from "../../consumers/registry.ts";
import { projectionNamed } from "../../projections/registry.ts";
import { setConsumerStatus } from "../../consumers/checkpoints.ts";
import { listDeadLetters, skipFailedEvent } from "../../projections/skip.ts";
import { withOwnConnection } from "../../db/worker-connection.ts";
import { STATS_CONSUMER, restartEventCounts } from "../../stats/event-counts.ts";
import { readProjectionStatus } from "../../projections/status.ts";
import { page } from "../arguments.ts";
import type { GraphQLContext } from "../context.ts";

export const projectionTypeDefs = /* GraphQL */ `
  type RebuildProgress {
    position: String
    processedCount: Int!
    eventsBehind: Int!
  }

  type ProjectionStatus {
    name: String!
    "running | catching_up | rebuilding | stopped | failed"
    status: String!
    "Events the checkpoint has moved past."
    processedCount: Int!
    lastError: String
    "Log position of the checkpoint."
    position: String
    "Committed events not applied yet."
    eventsBehind: Int!
    "Age of the oldest event not applied yet (0 when caught up)."
    msBehind: Int!
    lastProcessedAt: String
    "Commit-to-read-model delay over the last 1000 events."
    lagP50Ms: Int
    lagP99Ms: Int
    "The event a failed projection is stopped at."
    failedSequence: String
    "Set while a rebuild is running."
    rebuild: RebuildProgress
  }

  type DeadLetter {
    id: ID!
    projection: String!
    globalSequence: String!
    aggregateId: ID!
    eventType: String!
    eventData: JSON!
    error: String
    skippedAt: String!
  }

  input SkipEventInput {
    projection: String!
    "The event to skip: the failedSequence the projection is stopped at."
    globalSequence: String!
  }

  input ProjectionInput {
    name: String!
  }

  extend type Query {
    projectionStatus: [ProjectionStatus!]!
    "Events skipped by skipEvent, newest first."
    deadLetters(projection: String, limit: Int = 20, offset: Int = 0): [DeadLetter!]!
  }

  extend type Mutation {
    "Moves a projection past the event it is stuck on, into the dead-letter table."
    skipEvent(input: SkipEventInput!): ProjectionStatus!
    "Rebuilds a read model from the first event into a fresh table and swaps it in when caught up (REBUILD_IN_PROGRESS while one runs). A stopped projection stays stopped."
    rebuildProjection(input: ProjectionInput!): ProjectionStatus!
    "Pauses a projection after its current batch (status stopped)."
    stopProjection(input: ProjectionInput!): ProjectionStatus!
    "Resumes a stopped projection, or retries a failed one now."
    resumeProjection(input: ProjectionInput!): ProjectionStatus!
  }
`;

/** Any consumer of the log may be stopped, resumed or moved past an event. */
function projection(name: string): { name: string } {
  if (!CONSUMER_NAMES.includes(name)) {
    throw new NotFoundError(`no projection named ${name} (known: ${CONSUMER_NAMES.join(", ")})`, { projection: name }, "PROJECTION_NOT_FOUND");
  }
  return { name };
}

/** Only read models can be rebuilt: the saga manager's effects are not a table to replay into. */
function readModel(name: string): { name: string } {
  projection(name);
  if (!projectionNamed(name) && name !== STATS_CONSUMER) {
    throw new IllegalStateError(`${name} is not a read model and cannot be rebuilt`, { projection: name }, "NOT_A_READ_MODEL");
  }
  return { name };
}

/** A global sequence as clients send it: a positive integer, small enough to stay exact. */
function parseSequence(value: string): number {
  if (!/^[1-9][0-9]{0,14}$/.test(value)) {
    throw new ValidationError(`globalSequence must be the failed event's sequence, a positive integer of at most 15 digits; got "${value.slice(0, 40)}"`, {
      field: "globalSequence",
    });
  }
  return Number(value);
}

async function statusOf(context: GraphQLContext, name: string) {
  const [status] = await readProjectionStatus(await context.db.get(), [name]);
  return status!;
}

export const projectionResolvers = {
  Query: {
    projectionStatus: async (_: unknown, __: unknown, context: GraphQLContext) =>
      readProjectionStatus(await context.db.get(), CONSUMER_NAMES),
    deadLetters: async (_: unknown, args: { projection?: string | null; limit?: number; offset?: number }, context: GraphQLContext) => {
      const { limit, offset } = page(args);
      const rows = await listDeadLetters(await context.db.get(), { consumer: args.projection ?? undefined, limit, offset });
      return rows.map((row) => ({
        id: row.id,
        projection: row.consumer,
        globalSequence: row.global_sequence,
        aggregateId: row.aggregate_id,
        eventType: row.event_type,
        eventData: row.event_data,
        error: row.error,
        skippedAt: row.skipped_at.toISOString(),
      }));
    },
  },
  Mutation: {
    skipEvent: async (_: unknown, { input }: { input: { projection: string; globalSequence: string } }, context: GraphQLContext) => {
      const { name } = projection(input.projection);
      const sequence = parseSequence(input.globalSequence);
      // A transaction: never on the connection other requests share.
      await withOwnConnection(context.env, (db) => skipFailedEvent(db, name, sequence));
      await context.env.PROJECTOR.getByName(name).wake(name);
      return statusOf(context, name);
    },
    rebuildProjection: async (_: unknown, { input }: { input: { name: string } }, context: GraphQLContext) => {
      const { name } = readModel(input.name);
      if (name === STATS_CONSUMER) {
        await withOwnConnection(context.env, restartEventCounts);
        context.executionContext.waitUntil(context.env.PROJECTOR.getByName(name).wake(name));
        return statusOf(context, name);
      }
      const refused = await context.env.PROJECTOR.getByName(name).rebuild(name);
      if (refused) throw deserializeError(refused);
      return statusOf(context, name);
    },
    stopProjection: async (_: unknown, { input }: { input: { name: string } }, context: GraphQLContext) => {
      const { name } = projection(input.name);
      await setConsumerStatus(await context.db.get(), name, "stopped");
      return statusOf(context, name);
    },
    resumeProjection: async (_: unknown, { input }: { input: { name: string } }, context: GraphQLContext) => {
      const { name } = projection(input.name);
      await setConsumerStatus(await context.db.get(), name, "running");
      context.executionContext.waitUntil(context.env.PROJECTOR.getByName(name).wake(name));
      return statusOf(context, name);
    },
  },
};
