import { ErrorLine, Json, Panel, Stat } from "../components.tsx";
import { request } from "../graphql.ts";
import { usePoll, useSchema } from "../hooks.ts";

interface Statistics {
  systemStatistics: { eventStore: { totalRecords: number }; commandDb: { totalRecords: number }; queryDb: Record<string, number>; sagas: Record<string, number> };
  eventStoreStats: { totalEvents: number; latestSequence: string | null; eventsByType: Array<{ eventType: string; count: number }> };
}

export function HealthPage() {
  const schema = useSchema();
  // health grows fields as the server does (Postgres per schema, lag, broadcasters): ask for all of them.
  const health = usePoll(schema ? () => request<{ health: Record<string, unknown> }>(`{ health ${schema.selectionOf("Query", "health", 3)} }`) : undefined, 3_000, []);
  const stats = usePoll(
    () => request<Statistics>("{ systemStatistics { eventStore { totalRecords } commandDb { totalRecords } queryDb { categories products orders } sagas { active completed failed } } eventStoreStats { totalEvents latestSequence eventsByType { eventType count } } }"),
    3_000,
    [],
  );
  const status = health.data?.health.status;
  const s = stats.data;
  return (
    <div class="grid">
      <Panel title="Health">
        <ErrorLine error={health.error} />
        <p>
          Status: <strong class={status === "ok" ? "ok" : "error"} data-testid="health-status">{String(status ?? "…")}</strong>
        </p>
        {health.data && <Json label="health" value={health.data.health} />}
      </Panel>
      <Panel title="Databases">
        <ErrorLine error={stats.error} />
        <div class="stats">
          <Stat label="event store rows" value={s?.systemStatistics.eventStore.totalRecords} />
          <Stat label="command DB rows" value={s?.systemStatistics.commandDb.totalRecords} />
          <Stat label="query DB categories" value={s?.systemStatistics.queryDb.categories} />
          <Stat label="query DB products" value={s?.systemStatistics.queryDb.products} />
          <Stat label="query DB orders" value={s?.systemStatistics.queryDb.orders} />
        </div>
        <h3>Events by type</h3>
        <ul class="counts">
          {(s?.eventStoreStats.eventsByType ?? []).map((t) => (
            <li>
              <span>{t.eventType}</span> <strong>{t.count}</strong>
            </li>
          ))}
        </ul>
      </Panel>
    </div>
  );
}
