import { useEffect, useState } from "preact/hooks";
import { TimeChart } from "../chart.tsx";
import { ErrorLine, NotAvailable, Panel, Stat } from "../components.tsx";
import { request } from "../graphql.ts";
import { useHistory } from "../history.ts";
import { usePoll, useSchema } from "../hooks.ts";
import { follow } from "../live.ts";
import type { Schema } from "../schema.ts";

interface Totals {
  eventStoreStats: { totalEvents: number; latestSequence: string | null };
  systemStatistics: { queryDb: { categories: number; products: number; orders: number }; sagas: { active: number; completed: number; failed: number } };
}

const TOTALS = `{ eventStoreStats { totalEvents latestSequence }
  systemStatistics { queryDb { categories products orders } sagas { active completed failed } } }`;

export function OverviewPage() {
  const schema = useSchema();
  const totals = usePoll(() => request<Totals>(TOTALS), 2_000, []);
  const { eventsPerSecond, projectionLag, projectionDelayP99 } = useHistory();
  const t = totals.data;
  return (
    <div class="grid">
      <Panel title="Totals" wide>
        <ErrorLine error={totals.error} />
        <div class="stats">
          <Stat label="events stored" value={t?.eventStoreStats.totalEvents} testId="total-events" />
          <Stat label="latest sequence" value={t?.eventStoreStats.latestSequence} />
          <Stat label="categories" value={t?.systemStatistics.queryDb.categories} />
          <Stat label="products" value={t?.systemStatistics.queryDb.products} />
          <Stat label="orders" value={t?.systemStatistics.queryDb.orders} testId="total-orders" />
          <Stat label="sagas active" value={t?.systemStatistics.sagas.active} />
          <Stat label="sagas completed" value={t?.systemStatistics.sagas.completed} />
          <Stat label="sagas failed" value={t?.systemStatistics.sagas.failed} />
        </div>
      </Panel>
      <Panel title="Live counters (dashboardStatsStream)" wide>
        {schema && <LiveCounters schema={schema} />}
      </Panel>
      <Panel title="Events per second">
        <TimeChart title="Events per second, last 2 minutes" unit="ev/s" data={eventsPerSecond} windowSeconds={120} />
      </Panel>
      <Panel title="Projection lag">
        <TimeChart title="Projection lag (ms behind), last 5 minutes" unit="ms" data={projectionLag} windowSeconds={300} />
        <TimeChart title="Commit-to-read-model delay, p99 of the last 1000 events" unit="ms" data={projectionDelayP99} windowSeconds={300} />
      </Panel>
    </div>
  );
}

/** dashboardStatsStream pushed on change, and dashboardStats for the rates, where the server has them. */
function LiveCounters(props: { schema: Schema }) {
  const { schema } = props;
  const hasStream = schema.has("Subscription", "dashboardStatsStream");
  const [counters, setCounters] = useState<Record<string, unknown>>();
  const [error, setError] = useState<string>();
  const selection = schema.selectionOf("Subscription", "dashboardStatsStream", 0);
  useEffect(() => {
    if (!hasStream) return;
    return follow<{ dashboardStatsStream: Record<string, unknown> }>({
      query: `subscription { dashboardStatsStream ${selection} }`,
      variables: () => ({}),
      next: (data) => setCounters(data.dashboardStatsStream),
      error: (message, code) => setError(`${code ?? "ERROR"}: ${message}`),
    });
  }, [hasStream, selection]);
  const rates = usePoll(
    schema.has("Query", "dashboardStats") ? () => request<{ dashboardStats: Record<string, unknown> }>(`{ dashboardStats ${schema.selectionOf("Query", "dashboardStats", 0)} }`) : undefined,
    2_000,
    [],
  );
  if (!hasStream) return <NotAvailable field="dashboardStatsStream" />;
  return (
    <>
      {error && <p class="error">{error}</p>}
      <div class="stats">
        {Object.entries(counters ?? {}).map(([name, value]) => (
          <Stat label={name} value={value} testId={`live-${name}`} />
        ))}
      </div>
      {rates.data && (
        <div class="stats">
          {Object.entries(rates.data.dashboardStats)
            .filter(([name]) => /rate|PerSecond/i.test(name) && !(counters && name in counters))
            .map(([name, value]) => (
              <Stat label={name} value={value} />
            ))}
        </div>
      )}
    </>
  );
}
