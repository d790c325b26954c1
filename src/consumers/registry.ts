// Every consumer of the global log, by name: the read models, the saga
// manager, the broadcast publisher and the stats read model. Each runs in its own ProjectorDO, with its own checkpoint.
import { projectionConsumer } from "../projections/projection.ts";
import { PROJECTIONS, projectionNamed } from "../projections/registry.ts";
import { SAGA_MANAGER, SAGA_MANAGER_EVENT_TYPES, sagaManager } from "../sagas/saga-manager.ts";
import { STATS_CONSUMER, statsConsumer } from "../stats/event-counts.ts";
import { BROADCAST_PUBLISHER, broadcastPublisher } from "../subscriptions/publisher.ts";
import type { Consumer } from "./consumer.ts";

/** What each consumer reads, known without building it. */
export const CONSUMER_EVENT_TYPES: ReadonlyMap<string, Consumer["eventTypes"]> = new Map<string, Consumer["eventTypes"]>([
  ...PROJECTIONS.map((p) => [p.name, p.eventTypes] as const),
  [SAGA_MANAGER, SAGA_MANAGER_EVENT_TYPES],
  [BROADCAST_PUBLISHER, "all"],
  [STATS_CONSUMER, "all"],
]);

export const CONSUMER_NAMES: readonly string[] = [...CONSUMER_EVENT_TYPES.keys()];

/**
 * The commits that wake each consumer at once (ConsumerWaker): those of the
 * types it reads, since a client may be waiting on it (read-your-writes,
 * subscriptions), except the stats read model's. No one waits on the counts
 * (they have no read-your-writes; projectionStatus adds the events past their
 * checkpoint), so they are woken at most once a second per Durable Object,
 * like a consumer the commit does not concern: a third of the consumers'
 * passes after each write (docs/BENCHMARKS.md, "Writes: where a write's CPU goes").
 */
export const CONSUMER_WAKE_TYPES: ReadonlyMap<string, Consumer["eventTypes"]> = new Map(
  [...CONSUMER_EVENT_TYPES].map(([name, types]) => [name, name === STATS_CONSUMER ? [] : types]),
);

export function consumerNamed(name: string, env: Pick<Env, "SAGA" | "BROADCASTER" | "BROADCASTER_SHARDS">): Consumer | undefined {
  const projection = projectionNamed(name);
  if (projection) return projectionConsumer(projection);
  if (name === SAGA_MANAGER) return sagaManager(env.SAGA);
  if (name === BROADCAST_PUBLISHER) return broadcastPublisher(env);
  if (name === STATS_CONSUMER) return statsConsumer();
  return undefined;
}
