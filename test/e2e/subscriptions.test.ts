// Subscriptions as an outside client sees them: the stock graphql-ws
// `createClient` over the `ws` package, against the local stack started the
// way `npm start` starts it (one stack for the file, in token mode, on free
// ports, with its data in a temporary directory).
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient, type Client } from "graphql-ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { findFreePort } from "../../scripts/lib/ports.ts";
import { startStack, type LocalStack } from "../../scripts/lib/stack.ts";

const API_TOKEN = `api-${crypto.randomUUID()}`;
let stack: LocalStack;
let dataDir: string;
let origin: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "edge-cqrs-subscriptions-"));
  await chmod(dataDir, 0o755); // as root, Postgres runs as the postgres user
  // stackAuthVars reads these, as `AUTH_MODE=token API_TOKEN=... npm start` would.
  Object.assign(process.env, { AUTH_MODE: "token", API_TOKEN, ADMIN_TOKEN: `admin-${crypto.randomUUID()}` });
  const [port, pgPort] = await Promise.all([findFreePort(), findFreePort()]);
  stack = await startStack({ dataDir, port, pgPort, echo: false, log: () => undefined, command: "test/e2e/subscriptions.test.ts" });
  origin = `127.0.0.1:${port}`;
});

afterAll(async () => {
  await stack?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

async function mutate(query: string, variables: Record<string, unknown> = {}): Promise<Record<string, any>> {
  const response = await fetch(`http://${origin}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${API_TOKEN}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: Record<string, any>; errors?: unknown[] };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data!;
}

const createCategory = async (name: string): Promise<string> => (await mutate(`mutation($n: String!) { createCategory(input: { name: $n }) { id } }`, { n: name })).createCategory.id;
const renameCategory = (id: string, name: string) => mutate(`mutation($id: ID!, $n: String!) { updateCategory(input: { id: $id, name: $n }) { id } }`, { id, n: name });

type Connected = { client: Client; shard: string };

/**
 * A stock client, connected (so its shard is known); no retries, so a refused
 * connection is an error. The log's subscriptions need the API token in token mode.
 */
function connect(path: "/graphql" | "/socket", authorization: string | null = `Bearer ${API_TOKEN}`): Promise<Connected> {
  return new Promise((resolve, reject) => {
    const client = createClient({
      url: `ws://${origin}${path}`,
      webSocketImpl: WebSocket,
      connectionParams: authorization ? { authorization } : undefined,
      retryAttempts: 0,
      lazy: false,
      onNonLazyError: reject,
      on: { connected: (_socket, payload) => resolve({ client, shard: String((payload as { shard?: string } | undefined)?.shard) }) },
    });
  });
}

/** Everything a subscription receives, and a way to wait for a condition on it. */
function collect<T>(client: Client, query: string, variables: Record<string, unknown> = {}) {
  const received: T[] = [];
  const errors: unknown[] = [];
  const listeners = new Set<() => void>();
  const stop = client.subscribe<Record<string, T>>({ query, variables }, {
    next: (result) => {
      if (result.errors) errors.push(result.errors);
      else received.push(Object.values(result.data!)[0]!);
      for (const listener of listeners) listener();
    },
    error: (error) => {
      errors.push(error);
      for (const listener of listeners) listener();
    },
    complete: () => undefined,
  });
  const until = (done: (received: T[]) => boolean, timeoutMs = 20_000) =>
    new Promise<T[]>((resolve, reject) => {
      const check = () => {
        if (done(received)) {
          listeners.delete(check);
          clearTimeout(timer);
          resolve(received);
        }
      };
      const timer = setTimeout(() => {
        listeners.delete(check);
        reject(new Error(`timed out; received ${JSON.stringify(received).slice(0, 500)}; errors ${JSON.stringify(errors)}`));
      }, timeoutMs);
      listeners.add(check);
      check();
    });
  return { received, errors, until, stop };
}

/** The subscribe is handled once the client has sent it and the shard answered a later frame; a short pause does it. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 300));

type StreamedEvent = { aggregateId: string; eventType: string; position: string };
const EVENTS = `subscription($type: String, $eventType: String, $after: String) {
  eventStream(aggregateType: $type, eventType: $eventType, after: $after) { aggregateId eventType position } }`;

describe("subscriptions through the local stack with a stock graphql-ws client", () => {
  it("delivers a mutation's event on /graphql and on /socket", async () => {
    for (const path of ["/graphql", "/socket"] as const) {
      const { client } = await connect(path);
      const events = collect<StreamedEvent>(client, EVENTS, { type: "category" });
      const messages = collect<{ id: string; topic: string; payload: { aggregateId: string } }>(client, `subscription { pubsubStream(topic: "events") { id topic payload } }`);
      await settle();
      const id = await createCategory(`E2E ${path} ${crypto.randomUUID()}`);
      const [event] = (await events.until((r) => r.some((e) => e.aggregateId === id))).filter((e) => e.aggregateId === id);
      expect(event).toMatchObject({ aggregateId: id, eventType: "category.created" });
      const [message] = (await messages.until((r) => r.some((m) => m.payload.aggregateId === id))).filter((m) => m.payload.aggregateId === id);
      expect(message).toMatchObject({ id: event!.position, topic: "events" });
      await client.dispose();
    }
  });

  it("filters by aggregate type and event type", async () => {
    const { client } = await connect("/graphql");
    const renames = collect<StreamedEvent>(client, EVENTS, { type: "category", eventType: "category.updated" });
    const products = collect<StreamedEvent>(client, EVENTS, { type: "product" });
    await settle();
    const id = await createCategory(`Filtered ${crypto.randomUUID()}`);
    await renameCategory(id, `Filtered renamed ${crypto.randomUUID()}`);
    await renames.until((r) => r.some((e) => e.aggregateId === id));
    expect(renames.received.every((e) => e.eventType === "category.updated")).toBe(true);
    expect(products.received).toEqual([]);
    await client.dispose();
  });

  it("resumes with after: exactly the events written while disconnected, then live", async () => {
    const first = await connect("/graphql");
    const before = collect<StreamedEvent>(first.client, EVENTS, { type: "category" });
    await settle();
    const id = await createCategory(`Resume ${crypto.randomUUID()}`);
    const seen = await before.until((r) => r.some((e) => e.aggregateId === id));
    const last = seen.at(-1)!.position;
    await first.client.dispose();

    for (let i = 0; i < 3; i++) await renameCategory(id, `Missed ${i}`);
    // Let the publisher reach the shards before the client comes back.
    await new Promise((resolve) => setTimeout(resolve, 1_000));

    const again = await connect("/socket");
    const resumed = collect<StreamedEvent>(again.client, EVENTS, { type: "category", after: last });
    await resumed.until((r) => r.filter((e) => e.aggregateId === id).length >= 3);
    await renameCategory(id, "Live again");
    const ours = (await resumed.until((r) => r.filter((e) => e.aggregateId === id).length >= 4)).filter((e) => e.aggregateId === id);
    expect(ours.map((e) => e.eventType)).toEqual(["category.updated", "category.updated", "category.updated", "category.updated"]);
    expect(new Set(resumed.received.map((e) => e.position)).size).toBe(resumed.received.length);
    expect(resumed.received.every((e) => e.position !== last)).toBe(true);
    await again.client.dispose();
  });

  it("two clients on different shards both receive every event, in order", async () => {
    const byShard = new Map<string, Connected>();
    for (let tries = 0; byShard.size < 2 && tries < 30; tries++) {
      const connected = await connect(tries % 2 ? "/socket" : "/graphql");
      if (byShard.has(connected.shard)) await connected.client.dispose();
      else byShard.set(connected.shard, connected);
    }
    expect([...byShard.keys()].sort()).toEqual(["shard-0", "shard-1"]);
    const streams = [...byShard.values()].map(({ client }) => collect<StreamedEvent>(client, EVENTS, { type: "category" }));
    await settle();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await createCategory(`Sharded ${i} ${crypto.randomUUID()}`));
    for (const stream of streams) {
      const ours = (await stream.until((r) => ids.every((id) => r.some((e) => e.aggregateId === id)))).filter((e) => ids.includes(e.aggregateId));
      expect(ours.map((e) => e.aggregateId)).toEqual(ids);
    }
    for (const { client } of byShard.values()) await client.dispose();
  });

  it("in token mode: no token may connect but not follow the log, the API token may, a wrong token is closed with 4403", async () => {
    const anonymous = await connect("/graphql", null);
    const refusedLog = collect(anonymous.client, `subscription { eventStream { position } }`);
    await refusedLog.until(() => refusedLog.errors.length > 0);
    expect(JSON.stringify(refusedLog.errors)).toContain("UNAUTHENTICATED");
    await anonymous.client.dispose();
    const withToken = await connect("/socket", `Bearer ${API_TOKEN}`);
    await withToken.client.dispose();
    const refused = await connect("/graphql", "Bearer not-the-token").then(
      () => undefined,
      (error: unknown) => error as { code?: number },
    );
    expect(refused?.code).toBe(4403);
  });
});
