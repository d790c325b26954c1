import { useEffect, useState } from "preact/hooks";
import { Json, Panel, Table } from "../components.tsx";
import { EventFeed, type EventFilter, type EventRow } from "../event-feed.ts";
import { request } from "../graphql.ts";
import { usePoll, useSchema } from "../hooks.ts";

const SHOWN = 100;

export function EventsPage() {
  const schema = useSchema();
  const [filter, setFilter] = useState<EventFilter>({});
  const [draft, setDraft] = useState<EventFilter>({});
  const [events, setEvents] = useState<EventRow[]>([]);
  const [streamError, setStreamError] = useState<string>();
  const [selected, setSelected] = useState<EventRow>();
  const types = usePoll(() => request<{ eventStoreStats: { eventsByType: Array<{ eventType: string }> } }>("{ eventStoreStats { eventsByType { eventType } } }"), 10_000, []);

  useEffect(() => {
    if (!schema) return;
    const feed = new EventFeed(schema, filter);
    setEvents([]);
    feed.onChange(() => {
      setEvents(feed.events.slice(0, SHOWN));
      setStreamError(feed.error);
    });
    void feed.start();
    return () => feed.stop();
  }, [schema, filter.aggregateType, filter.eventType]);

  const eventTypes = types.data?.eventStoreStats.eventsByType.map((t) => t.eventType) ?? [];
  return (
    <div class="grid">
      <Panel title="Filters" wide>
        <form
          class="filters"
          onSubmit={(e) => {
            e.preventDefault();
            setFilter({ aggregateType: draft.aggregateType || undefined, eventType: draft.eventType || undefined });
          }}
        >
          <label>
            Aggregate type
            <select value={draft.aggregateType ?? ""} onChange={(e) => setDraft({ ...draft, aggregateType: e.currentTarget.value })}>
              <option value="">any</option>
              {["category", "product", "order", "order_saga"].map((t) => (
                <option value={t}>{t}</option>
              ))}
            </select>
          </label>
          <label>
            Event type
            <input list="event-types" value={draft.eventType ?? ""} placeholder="any" onInput={(e) => setDraft({ ...draft, eventType: e.currentTarget.value })} />
            <datalist id="event-types">
              {eventTypes.map((t) => (
                <option value={t} />
              ))}
            </datalist>
          </label>
          <button type="submit">Apply</button>
        </form>
      </Panel>
      <Panel title="Live events" wide>
        {streamError && <p class="error">{streamError}</p>}
        <p class="hint">Newest first; select a row for its data and metadata.</p>
        <Table
          caption="Live events"
          rows={events as unknown as Array<Record<string, unknown>>}
          columns={["globalSequence", "eventType", "aggregateType", "aggregateId", "version", "occurredAt"]}
          onSelect={(row) => setSelected(row as unknown as EventRow)}
          empty="Waiting for events…"
        />
      </Panel>
      {selected && (
        <Panel title={`Event ${selected.globalSequence}: ${selected.eventType}`} wide>
          <dl class="facts">
            <dt>Aggregate</dt>
            <dd>
              {selected.aggregateType} {selected.aggregateId} (version {selected.version})
            </dd>
            <dt>Correlation id</dt>
            <dd>{String(selected.metadata?.correlationId ?? "-")}</dd>
            <dt>Position</dt>
            <dd>{selected.position}</dd>
          </dl>
          <div class="two">
            <div>
              <h3>Data</h3>
              <Json label="Event data" value={selected.eventData} />
            </div>
            <div>
              <h3>Metadata</h3>
              <Json label="Metadata" value={selected.metadata} />
            </div>
          </div>
        </Panel>
      )}
    </div>
  );
}
