import { readOccurredAt } from "../../event-store/index.ts";
import type { GraphQLContext } from "../context.ts";

/**
 * When the event with this version of an aggregate happened. A command's result
 * has no timestamps of its own: they are the times of its events.
 */
export async function eventTime(context: GraphQLContext, aggregateId: string, version: number): Promise<string> {
  return ((await readOccurredAt(await context.db.get(), aggregateId, version)) ?? new Date()).toISOString();
}
