import { env, exports } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { sagaIdFor } from "../../src/sagas/order-saga-types.ts";
import { BroadcasterDO } from "../../durable-objects/broadcaster.ts";
import { ExecutionLog } from "../../src/telemetry/execution-log.ts";
import { ReportQueue } from "../../src/telemetry/report-queue.ts";
import type { ExecutionReport } from "../../src/telemetry/execution.ts";
import { acknowledged } from "./socket-client.ts";
import { gqlData } from "./support.ts";

const EXECUTION = "id name field durationMs success errorCode correlationId executedAt";

async function post(query: string, variables: Record<string, unknown> = {}, headers: Record<string, string> = {}) {
  const response = await exports.default.fetch("http://test.local/graphql", {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return { response, body: await response.json<{ data?: any; errors?: { extensions?: { code?: string } }[] }>() };
}

/** Reports travel after the response: poll until `found` sees them. */
async function eventually<T>(read: () => Promise<T>, found: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (found(value)) return value;
    if (Date.now() > deadline) throw new Error(`not found in time: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

type Execution = { name: string; field: string; success: boolean; errorCode: string | null; correlationId: string | null; durationMs: number };
const commandExecutions = async () => (await gqlData(`{ commandExecutions(limit: 100) { ${EXECUTION} } }`)).commandExecutions as Execution[];
const queryExecutions = async () => (await gqlData(`{ queryExecutions(limit: 100) { ${EXECUTION} } }`)).queryExecutions as Execution[];

afterEach(() => vi.restoreAllMocks());

describe("correlation ids", () => {
  it("the client's X-Correlation-Id comes back on the response and lands in the event's metadata", async () => {
    const correlationId = `test-${crypto.randomUUID()}`;
    const { response, body } = await post(`mutation { createCategory(input: { name: "Correlated" }) { id } }`, {}, { "x-correlation-id": correlationId });
    expect(response.headers.get("x-correlation-id")).toBe(correlationId);
    const { aggregateHistory } = await gqlData(`query($id: ID!) { aggregateHistory(aggregateType: "category", id: $id) { metadata } }`, { id: body.data.createCategory.id });
    expect(aggregateHistory[0].metadata.correlationId).toBe(correlationId);
  });

  it("a request without one gets a fresh one, and so does one with an unusable value", async () => {
    const { response, body } = await post(`mutation { createCategory(input: { name: "Uncorrelated" }) { id } }`);
    const generated = response.headers.get("x-correlation-id");
    expect(generated).toMatch(/^[0-9a-f-]{36}$/);
    const { aggregateHistory } = await gqlData(`query($id: ID!) { aggregateHistory(aggregateType: "category", id: $id) { metadata } }`, { id: body.data.createCategory.id });
    expect(aggregateHistory[0].metadata.correlationId).toBe(generated);
    const spaced = await post("{ __typename }", {}, { "x-correlation-id": "has spaces in it" });
    expect(spaced.response.headers.get("x-correlation-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("an order's correlation id follows it into its saga's events", async () => {
    const category = (await gqlData(`mutation { createCategory(input: { name: "Followed" }) { id } }`)).createCategory.id;
    const product = (await gqlData(`mutation($c: ID!) { createProduct(input: { name: "Followed", categoryId: $c, price: "1.00", stockQuantity: 5 }) { id } }`, { c: category })).createProduct.id;
    const correlationId = `order-${crypto.randomUUID()}`;
    const { body } = await post(
      `mutation($p: ID!) { createOrder(input: { userId: "followed", items: [{ productId: $p, quantity: 1 }] }) { order { id } } }`,
      { p: product },
      { "x-correlation-id": correlationId },
    );
    const orderId = body.data.createOrder.order.id;
    const sagaEvents = await eventually(
      async () => (await gqlData(`query($s: ID!) { events(aggregateId: $s, limit: 100) { metadata } }`, { s: sagaIdFor(orderId) })).events as { metadata: Record<string, unknown> }[],
      (events) => events.length > 0,
    );
    expect(sagaEvents.every((event) => event.metadata.orderId === orderId && event.metadata.correlationId === correlationId)).toBe(true);
  });

  it("the request's JSON log line carries the correlation id its events carry, and no token", async () => {
    const lines: string[] = [];
    const capture = (...args: unknown[]) => void lines.push(args.map(String).join(" "));
    vi.spyOn(console, "log").mockImplementation(capture);
    vi.spyOn(console, "warn").mockImplementation(capture);
    const correlationId = `log-${crypto.randomUUID()}`;
    const { body } = await post(`mutation { createCategory(input: { name: "Logged" }) { id } }`, {}, { "x-correlation-id": correlationId, authorization: "Bearer secret-token-123" });
    const { aggregateHistory } = await gqlData(`query($id: ID!) { aggregateHistory(aggregateType: "category", id: $id) { metadata } }`, { id: body.data.createCategory.id });
    const logged = lines.filter((line) => line.startsWith("{")).map((line) => JSON.parse(line) as Record<string, unknown>);
    const line = logged.find((entry) => entry.correlationId === aggregateHistory[0].metadata.correlationId);
    expect(line).toMatchObject({ level: "info", kind: "command", operation: "createCategory", success: true, code: null, correlationId });
    expect(typeof line!.durationMs).toBe("number");
    expect(line!.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(lines.join("\n")).not.toContain("secret-token-123");
  });
});

describe("execution logs", () => {
  it("record each mutation and query after its response, with outcome, code and correlation id", async () => {
    const ok = `ok-${crypto.randomUUID()}`;
    const bad = `bad-${crypto.randomUUID()}`;
    const read = `read-${crypto.randomUUID()}`;
    await post(`mutation { createCategory(input: { name: "Telemetry" }) { id } }`, {}, { "x-correlation-id": ok });
    const refused = await post(`mutation { createCategory(input: { name: "" }) { id } }`, {}, { "x-correlation-id": bad });
    const code = refused.body.errors![0]!.extensions!.code;
    await post("query Shelf { categories(limit: 1) { id } }", {}, { "x-correlation-id": read });

    const commands = await eventually(commandExecutions, (list) => [ok, bad].every((id) => list.some((e) => e.correlationId === id)));
    expect(commands.find((e) => e.correlationId === ok)).toMatchObject({ name: "createCategory", field: "createCategory", success: true, errorCode: null });
    expect(commands.find((e) => e.correlationId === bad)).toMatchObject({ name: "createCategory", success: false, errorCode: code });
    // Reads run in a ReaderDO (GRAPHQL_READERS): it reports too.
    const queries = await eventually(queryExecutions, (list) => list.some((e) => e.correlationId === read));
    expect(queries.find((e) => e.correlationId === read)).toMatchObject({ name: "Shelf", field: "categories", success: true, errorCode: null });
    expect(queries.find((e) => e.correlationId === read)!.durationMs).toBeGreaterThanOrEqual(0);
  });

  it("the commands and queries topics carry the same reports", async () => {
    const id = `topic-${crypto.randomUUID()}`;
    await post(`mutation { createCategory(input: { name: "On the topic" }) { id } }`, {}, { "x-correlation-id": id });
    const messages = await eventually(
      async () => (await gqlData(`{ pubsubMessages(topic: "commands", limit: 100) { id topic payload source } }`)).pubsubMessages as { payload: Record<string, unknown> }[],
      (list) => list.some((m) => m.payload.correlationId === id),
    );
    expect(messages.find((m) => m.payload.correlationId === id)).toMatchObject({ topic: "commands", source: "command-bus", payload: { name: "createCategory", success: true } });
  });

  it("keep only the newest N per kind, with ids that grow", async () => {
    const stub = env.BROADCASTER.getByName("bounded-execution-log");
    await runInDurableObject(stub, (_instance, state) => {
      const log = new ExecutionLog(state.storage.sql, 3);
      const report = (name: string): ExecutionReport => ({ kind: "command", name, field: name, durationMs: 1, success: true, errorCode: null, correlationId: null, at: new Date().toISOString() });
      const messages = log.record(["a", "b", "c", "d", "e"].map(report), 1_000);
      expect(messages.map((m) => m.id)).toEqual(["1000-0", "1000-1", "1000-2", "1000-3", "1000-4"]);
      expect(log.recent("command", 10).map((e) => e.name)).toEqual(["e", "d", "c"]);
      // An earlier clock (another isolate's report) still gets a larger id.
      expect(log.record([report("f")], 999)[0]!.id).toBe("1000-5");
      expect(state.storage.sql.exec("SELECT count(*) AS n FROM execution").one().n).toBe(3);
      expect(log.dashboard(1_000).commandsExecuted).toBe(6);
    });
  });
});

describe("execution reports travel in batches", () => {
  it("a shard adds a batch to its totals, histograms and rates as it would each report alone", async () => {
    await runInDurableObject(env.BROADCASTER.getByName("batched-execution-log"), (_instance, state) => {
      const log = new ExecutionLog(state.storage.sql, 10);
      const report = (field: string, durationMs: number, errorCode: string | null): ExecutionReport =>
        ({ kind: "query", name: field, field, durationMs, success: errorCode === null, errorCode, correlationId: null, at: new Date().toISOString() });
      log.record([report("a", 3, null), report("b", 7, null), report("a", 30, null), report("a", 1, "NOT_FOUND")], 5_000);
      log.record([report("a", 3, null), report("a", 4, null)], 5_000);
      expect(log.totals()).toEqual([
        { kind: "query", field: "a", outcome: "NOT_FOUND", count: 1, durationSumMs: 1, buckets: [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1] },
        { kind: "query", field: "a", outcome: "ok", count: 4, durationSumMs: 40, buckets: [3, 3, 3, 4, 4, 4, 4, 4, 4, 4, 4] },
        { kind: "query", field: "b", outcome: "ok", count: 1, durationSumMs: 7, buckets: [0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1] },
      ]);
      expect(log.dashboard(5_000)).toMatchObject({ queriesExecuted: 6, errors: 1, queriesPerSecond: 6 / 60, errorsPerSecond: 1 / 60 });
    });
  });

  it("a batch leaves when full or when its time is up, each report in exactly one batch", async () => {
    const sent: string[][] = [];
    const queue = new ReportQueue(async (reports) => void sent.push(reports.map((r) => r.name)), { maxWaitMs: 200, maxReports: 3 });
    const report = (name: string): ExecutionReport => ({ kind: "query", name, field: name, durationMs: 1, success: true, errorCode: null, correlationId: null, at: new Date().toISOString() });
    const started = Date.now();
    await Promise.all(["a", "b", "c"].map((name) => queue.add(report(name))));
    expect(Date.now() - started).toBeLessThan(200);
    const late = queue.add(report("d"));
    expect(sent).toEqual([["a", "b", "c"]]);
    await late;
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    expect(sent).toEqual([["a", "b", "c"], ["d"]]);
  });

  it("many operations at once reach every shard in a few RPCs, none lost", async () => {
    const record = vi.spyOn(BroadcasterDO.prototype, "record");
    const ids = Array.from({ length: 20 }, () => `batched-${crypto.randomUUID()}`);
    await Promise.all(ids.map((id) => post("query Batched { __typename }", {}, { "x-correlation-id": id })));
    const queries = await eventually(queryExecutions, (list) => ids.every((id) => list.some((e) => e.correlationId === id)));
    expect(queries.filter((e) => ids.includes(e.correlationId!))).toHaveLength(ids.length);
    // Each shard got each report once, in fewer calls than there were operations.
    const ours = record.mock.calls.map(([reports]) => reports.filter((report) => ids.includes(report.correlationId!)).length).filter((n) => n > 0);
    expect(ours.reduce((sum, n) => sum + n, 0)).toBe(ids.length * 2);
    expect(ours.length).toBeLessThanOrEqual(ids.length / 2);
  });
});

describe("dashboard stats", () => {
  it("dashboardStats counts commands, queries and errors", async () => {
    const before = (await gqlData("{ dashboardStats { commandsExecuted queriesExecuted errors eventsPublished sagasActive commandsPerSecond } }")).dashboardStats;
    await post(`mutation { createCategory(input: { name: "Counted" }) { id } }`);
    await post(`mutation { createCategory(input: { name: "" }) { id } }`);
    const after = await eventually(
      async () => (await gqlData("{ dashboardStats { commandsExecuted queriesExecuted errors eventsPublished sagasActive commandsPerSecond } }")).dashboardStats,
      (stats) => stats.commandsExecuted >= before.commandsExecuted + 2 && stats.errors >= before.errors + 1,
    );
    expect(after.queriesExecuted).toBeGreaterThan(before.queriesExecuted);
    expect(after.commandsPerSecond).toBeGreaterThan(0);
  });

  it("dashboardStatsStream pushes the figures when they change, a few times a second at most", async () => {
    const client = await acknowledged();
    client.send({ type: "subscribe", id: "d", payload: { query: "subscription { dashboardStatsStream { commandsExecuted queriesExecuted eventsPublished sagasActive errors } }" } });
    const started = Date.now();
    for (let i = 0; i < 10; i++) await post(`mutation { createCategory(input: { name: "Pushed ${i}" }) { id } }`);
    const first = await client.next();
    expect(first).toMatchObject({ type: "next", id: "d", payload: { data: { dashboardStatsStream: { commandsExecuted: expect.any(Number) } } } });
    const pushes: unknown[] = [first];
    const until = Date.now() + 1_000;
    while (Date.now() < until) {
      const next = await Promise.race([client.next(), new Promise((resolve) => setTimeout(() => resolve(null), until - Date.now()))]);
      if (next) pushes.push(next);
    }
    // Ten mutations (and their events) within about a second: folded into a few pushes, not one per change.
    const seconds = (Date.now() - started) / 1000;
    expect(pushes.length).toBeLessThanOrEqual(Math.ceil(seconds * 4) + 1);
    client.socket.close(1000);
  });
});
