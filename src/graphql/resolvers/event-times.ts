import type { GraphQLContext } from "../context.ts";

/**
 * When the event with this version of an aggregate happened. A command's result
 * has no timestamps of its own: they are the times of its events.
 */
export async function eventTime(context: GraphQLContext, aggregateId: string, version: number): Promise<string> {
  const db = await context.db.get();
  const { rows } = await db.query<{ occurred_at: Date }>(
    "SELECT occurred_at FROM event_store.events WHERE aggregate_id = $1 AND event_version = $2",
    [aggregateId, version],
  );
  return (rows[0]?.occurred_at ?? new Date()).toISOString();
}
