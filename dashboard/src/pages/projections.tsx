import { useState } from "preact/hooks";
import { TimeChart } from "../chart.tsx";
import { ErrorLine, Panel, Table } from "../components.tsx";
import { request, RequestError } from "../graphql.ts";
import { useHistory } from "../history.ts";
import { usePoll } from "../hooks.ts";

interface Projection {
  name: string;
  status: string;
  processedCount: number;
  eventsBehind: number;
  msBehind: number;
  lagP50Ms: number | null;
  lagP99Ms: number | null;
  failedSequence: string | null;
  lastError: string | null;
  lastProcessedAt: string | null;
  rebuild: { processedCount: number; eventsBehind: number } | null;
}

const FIELDS = "name status processedCount eventsBehind msBehind lagP50Ms lagP99Ms failedSequence lastError lastProcessedAt rebuild { processedCount eventsBehind }";

export function ProjectionsPage() {
  const status = usePoll(() => request<{ projectionStatus: Projection[] }>(`{ projectionStatus { ${FIELDS} } }`), 2_000, []);
  const { projectionLag, projectionDelayP99 } = useHistory();
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string }>();

  const admin = async (mutation: string, input: Record<string, string>) => {
    setOutcome(undefined);
    try {
      const data = await request<Record<string, { name: string; status: string }>>(`mutation A($input: ${mutation === "skipEvent" ? "SkipEventInput" : "ProjectionInput"}!) { ${mutation}(input: $input) { name status } }`, { input });
      const result = data[mutation];
      setOutcome({ ok: true, text: `${mutation}: ${result?.name} is ${result?.status}` });
      status.refresh();
    } catch (error) {
      const e = error instanceof RequestError ? error : new RequestError(String(error), "CLIENT");
      setOutcome({ ok: false, text: `${mutation} refused: ${e.code} (${e.message})` });
    }
  };

  return (
    <div class="grid">
      <Panel title="Read models" wide>
        <ErrorLine error={status.error} />
        <p class="hint">The buttons need the admin token when the server runs in token mode (field at the top).</p>
        {outcome && (
          <p class={outcome.ok ? "ok" : "error"} role="status">
            {outcome.text}
          </p>
        )}
        <Table caption="Projection status" rows={(status.data?.projectionStatus ?? []).map((p) => ({ ...p, rebuild: p.rebuild ? `${p.rebuild.processedCount} done, ${p.rebuild.eventsBehind} to go` : null }))} />
        <ul class="actions">
          {(status.data?.projectionStatus ?? []).map((p) => (
            <li>
              <strong>{p.name}</strong> ({p.status}){" "}
              <button type="button" onClick={() => admin("rebuildProjection", { name: p.name })}>
                Rebuild
              </button>
              {p.status === "stopped" || p.status === "failed" ? (
                <button type="button" onClick={() => admin("resumeProjection", { name: p.name })}>
                  Resume
                </button>
              ) : (
                <button type="button" onClick={() => admin("stopProjection", { name: p.name })}>
                  Stop
                </button>
              )}
              {p.failedSequence && (
                <button type="button" onClick={() => admin("skipEvent", { projection: p.name, globalSequence: p.failedSequence! })}>
                  Skip event {p.failedSequence}
                </button>
              )}
            </li>
          ))}
        </ul>
      </Panel>
      <Panel title="Lag" wide>
        <TimeChart title="Projection lag (ms behind), last 5 minutes" unit="ms" data={projectionLag} windowSeconds={300} />
        <TimeChart title="Commit-to-read-model delay, p99 of the last 1000 events" unit="ms" data={projectionDelayP99} windowSeconds={300} />
      </Panel>
    </div>
  );
}
