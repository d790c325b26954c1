// The broadcast publisher: a consumer of the global log (its own checkpoint,
// run by ProjectorDO like the saga manager) that pushes every committed event
// to EVERY broadcaster shard. The runner moves the checkpoint only after apply
// returns, i.e. after every shard accepted the batch, so nothing is lost (and
// holds no transaction open meanwhile: `appliesElsewhere`); a
// batch redelivered after a crash carries the same ids (log positions), which
// each shard ignores, so nothing is delivered twice, and order is log order.
import type { Consumer } from "../consumers/consumer.ts";
import type { StoredEvent } from "../event-store/index.ts";
import { toGraphQLEvent } from "../graphql/resolvers/events.ts";
import { SAGA_TYPE } from "../sagas/order-saga-types.ts";
import type { MessagePayload, PubSubMessage } from "./message-cache.ts";
import { broadcasterSettings, shardNames } from "./settings.ts";

export const BROADCAST_PUBLISHER = "broadcast_publisher";

/** The one place topic names are defined. */
export const TOPICS = {
  events: "events",
  sagas: "sagas",
  // Telemetry, published by the shards from execution reports (src/telemetry/).
  commands: "commands",
  queries: "queries",
  // Pushed to dashboardStatsStream subscribers only, never cached.
  dashboard: "dashboard",
} as const;

export function broadcastPublisher(env: Pick<Env, "BROADCASTER" | "BROADCASTER_SHARDS">): Consumer {
  const shards = shardNames(broadcasterSettings(env));
  return {
    name: BROADCAST_PUBLISHER,
    eventTypes: "all",
    // Shards ignore ids they have stored: no transaction held open across the pushes.
    appliesElsewhere: true,
    async apply(_db, events) {
      const messages = events.flatMap(toMessages);
      await Promise.all(shards.map((name) => env.BROADCASTER.getByName(name).publish(messages)));
    },
  };
}

function toMessages(event: StoredEvent): PubSubMessage[] {
  const payload = eventPayload(event);
  const message = { id: event.position, payload, timestamp: payload.occurredAt, source: "event-store" };
  const topics = event.streamType === SAGA_TYPE ? [TOPICS.events, TOPICS.sagas] : [TOPICS.events];
  return topics.map((topic) => ({ ...message, topic }));
}

/** The GraphQL Event type's fields, so a subscription selects from the same shape as the events query. */
function eventPayload(event: StoredEvent): MessagePayload & { occurredAt: string } {
  // A message crosses RPC, whose types want event data as a JSON object.
  return { ...toGraphQLEvent(event), eventData: (event.data ?? null) as object | null };
}
