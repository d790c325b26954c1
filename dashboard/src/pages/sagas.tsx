import { useEffect, useState } from "preact/hooks";
import { ErrorLine, Panel, Table } from "../components.tsx";
import { request } from "../graphql.ts";
import { usePoll, useSchema } from "../hooks.ts";
import { follow } from "../live.ts";

interface Attempt {
  step: string;
  attempt: number;
  outcome: string;
  error: string | null;
  errorCode: string | null;
  startedAt: string;
  finishedAt: string | null;
}

export interface SagaDetail {
  id: string;
  orderId: string;
  status: string;
  currentStep: string | null;
  failure: { step: string; code: string; message: string } | null;
  compensationFailure: { step: string; code: string; message: string } | null;
  steps: Attempt[];
}

export const SAGA_FIELDS = "id orderId status currentStep failure { step code message } compensationFailure { step code message } steps { step attempt outcome error errorCode startedAt finishedAt }";
export const TERMINAL = ["completed", "failed", "compensated"];

/** What the live table shows of each sagaUpdates message, newest first. */
const UPDATE_COLUMNS = ["position", "sagaId", "eventType", "step", "attempt", "status", "occurredAt"];
const UPDATES_KEPT = 50;

export function SagasPage(props: { param?: string }) {
  const schema = useSchema();
  const live = schema?.has("Subscription", "sagaUpdates");
  // With sagaUpdates every saga event refreshes the list; the slow poll only catches what a dropped socket missed.
  const list = usePoll(() => request<{ sagas: Array<Record<string, unknown>> }>("{ sagas(limit: 30) { id orderId sagaType status currentStep updatedAt } }"), live ? 30_000 : 2_000, []);
  const [updates, setUpdates] = useState<Array<Record<string, unknown>>>([]);
  useEffect(() => {
    if (!live || !schema) return;
    return follow<{ sagaUpdates: Record<string, unknown> | null }>({
      query: `subscription { sagaUpdates ${schema.selectionOf("Subscription", "sagaUpdates", 0)} }`,
      variables: () => ({}),
      next: ({ sagaUpdates }) => {
        if (sagaUpdates) setUpdates((old) => [sagaUpdates, ...old].slice(0, UPDATES_KEPT));
        list.refresh();
      },
      resumed: () => list.refresh(),
    });
  }, [live]);
  return (
    <div class="grid">
      {props.param && <SagaTimeline id={props.param} />}
      <Panel title="Sagas, newest first" wide>
        {schema && !live && <p class="hint">Refreshed every 2 s (this server has no sagaUpdates subscription).</p>}
        <ErrorLine error={list.error} />
        <Table caption="Sagas" rows={list.data?.sagas ?? []} onSelect={(row) => (window.location.hash = `#/sagas/${String(row.id)}`)} />
      </Panel>
      {live && (
        <Panel title="Live saga updates (sagaUpdates)" wide>
          <Table
            caption="Live saga updates"
            rows={updates}
            columns={UPDATE_COLUMNS}
            onSelect={(row) => (window.location.hash = `#/sagas/${String(row.sagaId)}`)}
            empty="Waiting for saga updates…"
          />
        </Panel>
      )}
    </div>
  );
}

/** One saga's attempts in order, as a timeline; polled until it is over. */
export function SagaTimeline(props: { id: string }) {
  const saga = usePoll(() => request<{ saga: SagaDetail | null }>(`query S($id: ID!) { saga(id: $id) { ${SAGA_FIELDS} } }`, { id: props.id }), 1_000, [props.id]);
  const s = saga.data?.saga;
  return (
    <Panel title={`Saga ${props.id}`} wide>
      <ErrorLine error={saga.error} />
      {saga.data && !s && <p>No such saga.</p>}
      {s && (
        <>
          <p>
            Order <a href={`#/shop/${s.orderId}`}>{s.orderId}</a>: status <strong data-testid="saga-status">{s.status}</strong>
            {s.currentStep && !TERMINAL.includes(s.status) && <> at {s.currentStep}</>}
          </p>
          {s.failure && (
            <p class="error">
              Compensating because {s.failure.step} failed: {s.failure.code} ({s.failure.message})
            </p>
          )}
          {s.compensationFailure && (
            <p class="error">
              Compensation failed at {s.compensationFailure.step}: {s.compensationFailure.code} ({s.compensationFailure.message})
            </p>
          )}
          <ol class="timeline">
            {s.steps.map((a) => (
              <li class={`outcome-${a.outcome}`}>
                <span class="step">
                  {a.step} <small>try {a.attempt}</small>
                </span>
                <span class="outcome">{a.outcome.replace("_", " ")}</span>
                <span class="when">
                  {new Date(a.startedAt).toLocaleTimeString()}
                  {a.finishedAt && ` · ${Date.parse(a.finishedAt) - Date.parse(a.startedAt)} ms`}
                </span>
                {a.errorCode && (
                  <span class="attempt-error">
                    {a.errorCode}: {a.error}
                  </span>
                )}
              </li>
            ))}
          </ol>
        </>
      )}
    </Panel>
  );
}
