// The audit trail: the raw event log, one aggregate's history, and any
// aggregate's state rebuilt as of a version or a point in time.
import { evolveAll } from "../../domain/shared/decider.ts";
import { NotFoundError, ValidationError } from "../../domain/shared/errors.ts";
import { upcastDomainEvent } from "../../domain/upcasters.ts";
import { aggregateDefinition, aggregateTypes } from "../../commands/aggregates.ts";
import { decodePosition, readGlobalLog, readRecentEvents, readStream, readStreamType, type StoredEvent } from "../../event-store/index.ts";
import { idArgument, page, timeArgument } from "../arguments.ts";
import type { GraphQLContext } from "../context.ts";

export const eventTypeDefs = /* GraphQL */ `
  type Event {
    "The event's global sequence number."
    id: ID!
    aggregateId: ID!
    aggregateType: String!
    eventType: String!
    eventData: JSON!
    "correlationId, causationId, commandId, actor."
    metadata: JSON!
    "The aggregate's version after this event."
    version: Int!
    schemaVersion: Int!
    globalSequence: String!
    "Opaque log position (usable as minPosition)."
    position: String!
    occurredAt: String!
  }

  type AggregateState {
    aggregateType: String!
    aggregateId: ID!
    "Version the state was rebuilt to (0 if no event matched)."
    version: Int!
    "The entity as it was (null if it did not exist yet)."
    state: JSON
    "Occurrence time of the last event folded in."
    asOf: String
  }

  extend type Query {
    """
    The global event log in log order (the order consumers read it in), optionally
    filtered. It ends before the oldest transaction still running, so an event that
    commits late is never skipped. Page with after: the position of the last event
    of the previous page.
    """
    events(aggregateId: ID, aggregateType: String, eventType: String, limit: Int = 20, after: String): [Event!]!
    "The newest events, newest first."
    recentEvents(limit: Int = 20): [Event!]!
    "Every event of one aggregate, in version order."
    aggregateHistory(aggregateType: String!, id: ID!, limit: Int = 100, offset: Int = 0): [Event!]!
    "An aggregate's state rebuilt from its events as of a version and/or a time (ISO-8601)."
    aggregateState(aggregateType: String!, id: ID!, version: Int, at: String): AggregateState!
  }
`;

/** The GraphQL Event type's fields: the events query and the eventStream subscription both answer this shape. */
export function toGraphQLEvent(event: StoredEvent) {
  return {
    id: String(event.globalSequence),
    aggregateId: event.streamId,
    aggregateType: event.streamType,
    eventType: event.type,
    eventData: event.data,
    metadata: event.metadata,
    version: event.version,
    schemaVersion: event.schemaVersion,
    globalSequence: String(event.globalSequence),
    position: event.position,
    occurredAt: event.occurredAt.toISOString(),
  };
}

function knownAggregateType(aggregateType: string): string {
  if (!aggregateTypes().includes(aggregateType)) {
    throw new ValidationError(`aggregateType must be one of ${aggregateTypes().join(", ")}`, { field: "aggregateType" });
  }
  return aggregateType;
}

/** A stream belongs to one aggregate type: another type's id is as unknown as a missing one. */
async function requireAggregate(context: GraphQLContext, aggregateType: string, id: string): Promise<void> {
  if ((await readStreamType(await context.db.get(), id)) !== aggregateType) {
    throw new NotFoundError(`no ${aggregateType} with id ${id}`, { aggregateType, id }, "AGGREGATE_NOT_FOUND");
  }
}

export const eventResolvers = {
  Query: {
    events: async (
      _: unknown,
      args: { aggregateId?: string | null; aggregateType?: string | null; eventType?: string | null; limit?: number; after?: string | null },
      context: GraphQLContext,
    ) => {
      const { limit } = page(args);
      const filter = {
        streamId: args.aggregateId ? idArgument(args.aggregateId, "aggregateId") : null,
        streamType: args.aggregateType ?? null,
        eventType: args.eventType ?? null,
      };
      const after = args.after ? decodePosition(args.after) : undefined;
      const { events } = await readGlobalLog(await context.db.get(), { after, limit, filter, upcast: upcastDomainEvent });
      return events.map(toGraphQLEvent);
    },
    recentEvents: async (_: unknown, args: { limit?: number }, context: GraphQLContext) => {
      const { limit } = page(args);
      const events = await readRecentEvents(await context.db.get(), { limit, upcast: upcastDomainEvent });
      return events.map(toGraphQLEvent);
    },
    aggregateHistory: async (_: unknown, args: { aggregateType: string; id: string; limit?: number; offset?: number }, context: GraphQLContext) => {
      const { limit, offset } = page(args);
      const aggregateType = knownAggregateType(args.aggregateType);
      const id = idArgument(args.id);
      await requireAggregate(context, aggregateType, id);
      const events = await readStream(await context.db.get(), id, { limit, offset, upcast: upcastDomainEvent });
      return events.map(toGraphQLEvent);
    },
    aggregateState: async (_: unknown, args: { aggregateType: string; id: string; version?: number | null; at?: string | null }, context: GraphQLContext) => {
      const aggregateType = knownAggregateType(args.aggregateType);
      const definition = aggregateDefinition(aggregateType);
      const id = idArgument(args.id);
      if (args.version !== undefined && args.version !== null && args.version < 0) {
        throw new ValidationError("version must not be negative", { field: "version" });
      }
      const until = args.at ? timeArgument(args.at, "at") : undefined;
      await requireAggregate(context, aggregateType, id);
      const events = await readStream(await context.db.get(), id, {
        toVersion: args.version ?? undefined,
        until,
        upcast: upcastDomainEvent,
      });
      const { decider } = definition;
      const state = evolveAll(decider, decider.initialState(), events.map((e) => ({ type: e.type, data: e.data })));
      const last = events.at(-1);
      const version = last?.version ?? 0;
      return {
        aggregateType: decider.aggregateType,
        aggregateId: id,
        version,
        state: definition.view(state, version),
        asOf: last?.occurredAt.toISOString() ?? null,
      };
    },
  },
};
