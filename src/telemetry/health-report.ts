// The operator's health report: each Postgres schema, how far every consumer
// of the log is behind, the saga backlog and the broadcaster shards. Every
// part answers for itself, so one part down never hides the others.
import { CONSUMER_NAMES } from "../consumers/registry.ts";
import type { Queryable } from "../event-store/index.ts";
import { readProjectionStatus, type ProjectionStatus } from "../projections/status.ts";
import { sagaBacklog, type SagaBacklog } from "../sagas/saga-queries.ts";
import { broadcasterSettings, shardNames } from "../subscriptions/settings.ts";
import { checkHealth, type HealthReport } from "../http/health.ts";

/** A consumer this far behind, or failed or stopped, makes the report degraded. */
const LAGGING_AFTER_MS = 60_000;
/** An active saga untouched this long is stalled: its step timeouts are far shorter. */
const STALLED_AFTER = "5 minutes";

/** One table per schema: reading it proves the schema is there and readable. */
const SCHEMA_PROBES = { event_store: "event_store.events", command: "command.categories", query: "query.checkpoints" } as const;

type Probe = { ok: boolean; latencyMs: number | null; error: string | null };

export type FullHealthReport = HealthReport & {
  schemas: (Probe & { schema: string })[];
  projections: Pick<ProjectionStatus, "name" | "status" | "eventsBehind" | "msBehind">[];
  sagas: SagaBacklog | null;
  broadcasters: (Probe & { shard: string; sockets: number | null })[];
};

export async function fullHealth(env: Pick<Env, "BROADCASTER" | "BROADCASTER_SHARDS">, connect: () => Promise<Queryable>): Promise<FullHealthReport> {
  const base = await checkHealth(connect);
  const database = base.postgres.ok ? await connect() : null;
  const [schemas, projections, sagas, broadcasters] = await Promise.all([
    Promise.all(Object.entries(SCHEMA_PROBES).map(async ([schema, table]) => ({ schema, ...(await probe(async () => database && (await database.query(`SELECT 1 FROM ${table} LIMIT 1`)))) }))),
    database ? readProjectionStatus(database, CONSUMER_NAMES).catch(() => []) : [],
    database ? sagaBacklog(database, STALLED_AFTER).catch(() => null) : null,
    Promise.all(shardNames(broadcasterSettings(env)).map(async (shard) => {
      let sockets: number | null = null;
      const result = await probe(async () => (sockets = (await env.BROADCASTER.getByName(shard).metrics()).sockets));
      return { shard, ...result, sockets };
    })),
  ]);
  const healthy =
    base.postgres.ok &&
    schemas.every((s) => s.ok) &&
    broadcasters.every((b) => b.ok) &&
    projections.every((p) => (p.status === "running" || p.status === "catching_up" || p.status === "rebuilding") && p.msBehind < LAGGING_AFTER_MS) &&
    (sagas?.stalled ?? 0) === 0;
  return {
    ...base,
    status: healthy ? "ok" : "degraded",
    schemas,
    projections: projections.map(({ name, status, eventsBehind, msBehind }) => ({ name, status, eventsBehind, msBehind })),
    sagas,
    broadcasters,
  };
}

async function probe(work: () => Promise<unknown>): Promise<Probe> {
  const started = Date.now();
  try {
    if ((await work()) === null) return { ok: false, latencyMs: null, error: "no database connection" };
    return { ok: true, latencyMs: Date.now() - started, error: null };
  } catch (error) {
    return { ok: false, latencyMs: null, error: error instanceof Error ? error.message : String(error) };
  }
}
