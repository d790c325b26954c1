// /metrics: what an operator scrapes. Counters of commands and queries come
// from a broadcaster shard's execution log, events per type from the stats
// read model, lag from the consumers' checkpoints, sockets from every shard.
import { CONSUMER_NAMES } from "../consumers/registry.ts";
import type { Queryable } from "../event-store/index.ts";
import { readProjectionStatus } from "../projections/status.ts";
import { readEventCounts } from "../stats/event-counts.ts";
import { systemStatistics } from "../stats/system-statistics.ts";
import { broadcasterSettings, shardNames } from "../subscriptions/settings.ts";
import { DURATION_BUCKETS_MS, type ExecutionKind } from "./execution.ts";
import type { ExecutionTotals } from "./execution-log.ts";
import { Exposition } from "./prometheus.ts";

const LABEL: Record<ExecutionKind, string> = { command: "command", query: "query" };

export async function renderMetrics(env: Pick<Env, "BROADCASTER" | "BROADCASTER_SHARDS">, db: Queryable): Promise<string> {
  const shards = shardNames(broadcasterSettings(env));
  const [counts, consumers, ...fromShards] = await Promise.all([
    readEventCounts(db),
    readProjectionStatus(db, CONSUMER_NAMES),
    ...shards.map((name) => env.BROADCASTER.getByName(name).metrics().catch(() => null)),
  ]);
  // Every shard records every report: one that answers is enough for the counters.
  const shard = fromShards.find((metrics) => metrics !== null) ?? { totals: [], topics: [], sockets: 0 };
  const sagas = systemStatistics(counts).sagas;
  const exposition = new Exposition();
  for (const kind of ["command", "query"] as const) {
    const totals = shard.totals.filter((row) => row.kind === kind);
    exposition
      .family(`cqrs_${kind}s_total`, "counter", `GraphQL ${kind === "command" ? "mutations" : "queries"} executed, by root field and outcome (ok or the error code).`, totals.map((row) => ({ labels: { [LABEL[kind]]: row.field, outcome: row.outcome }, value: row.count })))
      .histogram(`cqrs_${kind}_duration_seconds`, `Time to answer a GraphQL ${kind === "command" ? "mutation" : "query"}, by root field.`, histograms(totals, LABEL[kind]));
  }
  return exposition
    .family("cqrs_events_total", "counter", "Events in the event store by type, as of the stats read model's position.", [...counts.byType].map(([type, n]) => ({ labels: { event_type: type }, value: n })))
    .family("cqrs_projection_events_behind", "gauge", "Committed events a consumer of the log has not applied yet.", consumers.map((c) => ({ labels: { projection: c.name }, value: c.eventsBehind })))
    .family("cqrs_projection_lag_seconds", "gauge", "Age of the oldest event a consumer has not applied yet (0 when caught up).", consumers.map((c) => ({ labels: { projection: c.name }, value: c.msBehind / 1000 })))
    .family("cqrs_projection_apply_lag_p99_seconds", "gauge", "Commit-to-apply delay p99 over a consumer's last 1000 events.", consumers.filter((c) => c.lagP99Ms !== null).map((c) => ({ labels: { projection: c.name }, value: c.lagP99Ms! / 1000 })))
    .family("cqrs_projection_status", "gauge", "1 for each consumer's current status.", consumers.map((c) => ({ labels: { projection: c.name, status: c.status }, value: 1 })))
    .family("cqrs_sagas", "gauge", "Sagas by state (active = started or compensating).", Object.entries(sagas).map(([state, n]) => ({ labels: { state }, value: n })))
    .family("cqrs_open_sockets", "gauge", "WebSockets held by each broadcaster shard.", fromShards.flatMap((metrics, i) => (metrics ? [{ labels: { shard: shards[i]! }, value: metrics.sockets }] : [])))
    .family("cqrs_broadcaster_up", "gauge", "1 when the broadcaster shard answered this scrape.", fromShards.map((metrics, i) => ({ labels: { shard: shards[i]! }, value: metrics ? 1 : 0 })))
    .family("cqrs_pubsub_messages_total", "counter", "Messages published per broadcaster topic.", shard.topics.map((topic) => ({ labels: { topic: topic.topic }, value: topic.messageCount })))
    .toString();
}

/** One histogram per root field, over every outcome. */
function histograms(totals: readonly ExecutionTotals[], label: string) {
  const byField = new Map<string, { cumulative: number[]; count: number; sum: number }>();
  for (const row of totals) {
    const series = byField.get(row.field) ?? { cumulative: DURATION_BUCKETS_MS.map(() => 0), count: 0, sum: 0 };
    row.buckets.forEach((n, i) => (series.cumulative[i]! += n));
    series.count += row.count;
    series.sum += row.durationSumMs / 1000;
    byField.set(row.field, series);
  }
  return [...byField].map(([field, series]) => ({ labels: { [label]: field }, bounds: DURATION_BUCKETS_MS.map((ms) => ms / 1000), ...series }));
}
