import { useEffect, useState } from "preact/hooks";
import { ErrorLine, Json, NotAvailable, Panel, Table } from "../components.tsx";
import { request } from "../graphql.ts";
import { usePoll, useSchema } from "../hooks.ts";
import { follow } from "../live.ts";

const TOPICS = ["events", "sagas", "commands", "queries"];

interface Message {
  id: string;
  topic: string;
  timestamp: string;
  source: string;
  payload: unknown;
}

export function PubSubPage() {
  const schema = useSchema();
  const [topic, setTopic] = useState("events");
  const [selected, setSelected] = useState<Message>();
  const [liveMessages, setLiveMessages] = useState<Message[]>([]);
  const stats = usePoll(() => request<{ pubsubStats: Array<Record<string, unknown>> }>("{ pubsubStats { topic messageCount messagesPerSecond lastMessageAt } }"), 2_000, []);
  const cached = usePoll(
    () => request<{ pubsubMessages: Message[] }>("query M($topic: String) { pubsubMessages(topic: $topic, limit: 50) { id topic timestamp source payload } }", { topic }),
    3_000,
    [topic],
  );
  const live = schema?.has("Subscription", "pubsubStream") ?? false;
  useEffect(() => {
    setLiveMessages([]);
    if (!live) return;
    return follow<{ pubsubStream: Message }>({
      query: "subscription P($topic: String!) { pubsubStream(topic: $topic) { id topic timestamp source payload } }",
      variables: () => ({ topic }),
      next: ({ pubsubStream }) => setLiveMessages((old) => [pubsubStream, ...old].slice(0, 50)),
    });
  }, [live, topic]);
  const messages = (cached.data?.pubsubMessages ?? []).slice().reverse();
  return (
    <div class="grid">
      <Panel title="Topics" wide>
        <ErrorLine error={stats.error} />
        <Table caption="Per-topic statistics" rows={stats.data?.pubsubStats ?? []} />
      </Panel>
      <Panel title="Messages" wide>
        <label>
          Topic{" "}
          <select value={topic} onChange={(e) => setTopic(e.currentTarget.value)}>
            {TOPICS.map((t) => (
              <option value={t}>{t}</option>
            ))}
          </select>
        </label>
        <h3>Live (pubsubStream)</h3>
        {schema && !live ? <NotAvailable field="pubsubStream" /> : <Table caption="Live messages" rows={liveMessages.map(summary)} onSelect={(row) => setSelected(liveMessages.find((m) => m.id === row.id))} empty="Waiting for messages…" />}
        <h3>Cached by the broadcasters, newest first</h3>
        <ErrorLine error={cached.error} />
        <Table caption="Cached messages" rows={messages.map(summary)} onSelect={(row) => setSelected(messages.find((m) => m.id === row.id))} />
      </Panel>
      {selected && (
        <Panel title={`Message ${selected.id}`} wide>
          <Json label="Payload" value={selected.payload} />
        </Panel>
      )}
    </div>
  );
}

function summary(m: Message): Record<string, unknown> {
  return { id: m.id, timestamp: m.timestamp, source: m.source, payload: JSON.stringify(m.payload).slice(0, 80) };
}
