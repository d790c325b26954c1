import { ErrorLine, NotAvailable, Panel, Table } from "../components.tsx";
import { request } from "../graphql.ts";
import { usePoll, useSchema } from "../hooks.ts";
import type { Schema } from "../schema.ts";

export function ExecutionsPage() {
  const schema = useSchema();
  if (!schema) return null;
  return (
    <div class="grid">
      <ExecutionLog schema={schema} field="commandExecutions" title="Recent commands" />
      <ExecutionLog schema={schema} field="queryExecutions" title="Recent queries" />
      {/* Without the logs, the same telemetry as it passes through the broadcasters. */}
      {!schema.has("Query", "commandExecutions") && <Telemetry topic="commands" title="Command messages (pub/sub topic commands)" />}
      {!schema.has("Query", "queryExecutions") && <Telemetry topic="queries" title="Query messages (pub/sub topic queries)" />}
    </div>
  );
}

/** commandExecutions / queryExecutions, every scalar the server gives (they need the admin token). */
function ExecutionLog(props: { schema: Schema; field: string; title: string }) {
  const { schema, field } = props;
  const available = schema.has("Query", field);
  const hasLimit = schema.hasArg("Query", field, "limit");
  const log = usePoll(
    available ? () => request<Record<string, Array<Record<string, unknown>>>>(`{ ${field}${hasLimit ? "(limit: 20)" : ""} ${schema.selectionOf("Query", field, 0)} }`) : undefined,
    3_000,
    [field],
  );
  return (
    <Panel title={props.title} wide>
      {!available ? (
        <NotAvailable field={field} />
      ) : (
        <>
          <ErrorLine error={log.error} />
          <Table caption={props.title} rows={log.data?.[field] ?? []} />
        </>
      )}
    </Panel>
  );
}

interface Message {
  id: string;
  timestamp: string;
  source: string;
  payload: Record<string, unknown>;
}

/** The telemetry the API publishes after each command and query, from the broadcasters' cache. */
function Telemetry(props: { topic: string; title: string }) {
  const messages = usePoll(
    () => request<{ pubsubMessages: Message[] }>("query T($topic: String) { pubsubMessages(topic: $topic, limit: 50) { id timestamp source payload } }", { topic: props.topic }),
    3_000,
    [props.topic],
  );
  const rows = (messages.data?.pubsubMessages ?? []).slice().reverse().map((m) => ({ timestamp: m.timestamp, ...m.payload }));
  return (
    <Panel title={props.title} wide>
      <ErrorLine error={messages.error} />
      <Table caption={props.title} rows={rows} empty="No messages on this topic yet." />
    </Panel>
  );
}
