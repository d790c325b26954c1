// `npm run bench -- --delivery`: subscription delivery as clients feel it.
// Starts the local stack the way `npm start` does (scripts/bench/stack.ts's
// start-up), opens 1, 100 and 1,000 WebSockets on loopback speaking
// graphql-transport-ws (the `ws` package, one selection for all), drives
// mutations at a fixed rate and measures, per message, commit-to-client
// latency: the client's receive time minus the event's occurredAt (both
// clocks are this machine's). Messages/s counts every socket's receipts.
import { cpus, loadavg } from "node:os";
import WebSocket from "ws";
import { graphql, openTarget, percentile } from "./stack.ts";

export interface DeliveryBenchOptions {
  sockets: number[];
  /** One stack per entry: BROADCASTER_SHARDS. */
  shards: number[];
  /** Mutations per second that drive the messages (one run per rate). */
  rates: number[];
  durationMs: number;
  warmupMs: number;
  /** Called with each stack's stop once it runs, so a Ctrl-C can stop it. */
  started?(close: () => Promise<void>): void;
}

interface Trial {
  rate: number;
  shards: number;
  shardsSeen: number;
  sockets: number;
  mutationsPerSecond: number;
  messagesPerSecond: number;
  delivered: number;
  expected: number;
  p50: number;
  p99: number;
  max: number;
}

const SUBSCRIPTION = 'subscription { eventStream(aggregateType: "category", eventType: "category.updated") { aggregateId occurredAt } }';
const OPEN_AT_ONCE = 50;

export async function runDeliveryBench(options: DeliveryBenchOptions): Promise<string> {
  const trials: Trial[] = [];
  for (const shards of options.shards) {
    const target = await openTarget("npm run bench -- --delivery", { BROADCASTER_SHARDS: String(shards) });
    options.started?.(target.close);
    try {
      const categories: string[] = [];
      for (let i = 0; i < 8; i++) categories.push((await graphql(target.graphql, `mutation { createCategory(input: { name: "Delivery ${i}" }) { id } }`, {}, true)).createCategory.id);
      for (const rate of options.rates) for (const sockets of options.sockets) {
        const trial = await measureDelivery(target.graphql, categories, sockets, shards, rate, options);
        trials.push(trial);
        console.error(
          `${String(shards).padStart(2)} shards ${rate}/s ${String(sockets).padStart(5)} sockets  ${trial.mutationsPerSecond.toFixed(1)} mutations/s  ${trial.messagesPerSecond.toFixed(0)} messages/s  ` +
            `p50 ${trial.p50.toFixed(1)} ms  p99 ${trial.p99.toFixed(1)} ms  delivered ${trial.delivered}/${trial.expected}  (load ${(loadavg()[0] ?? 0).toFixed(2)})`,
        );
      }
    } finally {
      await target.close();
    }
  }
  return report(trials, options);
}

async function measureDelivery(url: string, categories: string[], count: number, shards: number, rate: number, options: DeliveryBenchOptions): Promise<Trial> {
  const ours = new Set(categories);
  let measuring: { from: number; to: number } | undefined;
  const latencies: number[] = [];
  let delivered = 0;
  const clients: Subscriber[] = [];
  for (let opened = 0; opened < count; opened += OPEN_AT_ONCE) {
    const batch = Array.from({ length: Math.min(OPEN_AT_ONCE, count - opened) }, () =>
      subscriber(url.replace(/^http/, "ws"), (event, receivedAt) => {
        if (!ours.has(event.aggregateId)) return;
        const committedAt = Date.parse(event.occurredAt);
        if (!measuring || committedAt < measuring.from || committedAt >= measuring.to) return;
        delivered++;
        latencies.push(receivedAt - committedAt);
      }),
    );
    clients.push(...(await Promise.all(batch)));
  }
  try {
    await drive(url, categories, rate, options.warmupMs);
    const from = Date.now();
    // Every event the measured mutations commit counts, also one committed just after the window closed.
    measuring = { from, to: Number.POSITIVE_INFINITY };
    const committed = await drive(url, categories, rate, options.durationMs);
    // Stragglers: wait until every socket has every message of the window, or give up. Longer than
    // the consumers' 30 s safety-net alarm, so a publisher that stalled shows as latency, not as loss.
    const expected = committed * count;
    for (const deadline = Date.now() + 45_000; delivered < expected && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 50));
    const lastArrival = Math.max(Date.now(), from + options.durationMs);
    return {
      rate,
      shards,
      shardsSeen: new Set(clients.map((c) => c.shard)).size,
      sockets: count,
      mutationsPerSecond: committed / (options.durationMs / 1000),
      messagesPerSecond: delivered / ((lastArrival - from) / 1000),
      delivered,
      expected,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      max: latencies.length ? Math.max(...latencies) : NaN,
    };
  } finally {
    for (const client of clients) client.socket.close(1000, "done");
  }
}

/** Mutations at a fixed rate (open loop, at most 16 in flight); returns how many committed. */
async function drive(url: string, categories: string[], rate: number, durationMs: number): Promise<number> {
  const update = `mutation($id: ID!, $name: String!) { updateCategory(input: { id: $id, name: $name }) { version } }`;
  const start = Date.now();
  const inFlight = new Set<Promise<void>>();
  let committed = 0;
  for (let i = 0; Date.now() - start < durationMs; i++) {
    const due = start + (i * 1000) / rate;
    if (due > Date.now()) await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
    if (Date.now() - start >= durationMs) break;
    if (inFlight.size >= 16) await Promise.race(inFlight);
    // A name it already has would be no change, and no event.
    const request = graphql(url, update, { id: categories[i % categories.length], name: `Delivery ${start}-${i}` }, false).then(
      () => void committed++,
      () => undefined,
    );
    const tracked = request.finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
  }
  await Promise.all(inFlight);
  return committed;
}

type Subscriber = { socket: WebSocket; shard: string };
type Streamed = { aggregateId: string; occurredAt: string };

/** One raw graphql-transport-ws client: init, one subscribe, answers the broadcaster's pings. Resolves once subscribed. */
function subscriber(url: string, onEvent: (event: Streamed, receivedAt: number) => void): Promise<Subscriber> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, "graphql-transport-ws");
    let shard = "";
    socket.on("error", reject);
    socket.on("open", () => socket.send(JSON.stringify({ type: "connection_init" })));
    socket.on("message", (data) => {
      const receivedAt = Date.now();
      const message = JSON.parse(String(data)) as { type: string; id?: string; payload?: any };
      if (message.type === "next") return onEvent(message.payload.data.eventStream as Streamed, receivedAt);
      if (message.type === "ping") return socket.send(JSON.stringify({ type: "pong", payload: message.payload }));
      if (message.type === "connection_ack") {
        shard = message.payload?.shard ?? "";
        socket.send(JSON.stringify({ type: "subscribe", id: "events", payload: { query: SUBSCRIPTION } }));
        // Frames are handled in order: the answer to an invalid subscribe means the first one is live.
        socket.send(JSON.stringify({ type: "subscribe", id: "barrier", payload: { query: "subscription { nope }" } }));
      }
      if (message.type === "error" && message.id === "barrier") resolve({ socket, shard });
    });
  });
}

function report(trials: Trial[], options: DeliveryBenchOptions): string {
  const lines = [
    `Measured ${new Date().toISOString().slice(0, 10)} with \`npm run bench -- --delivery${process.argv.length > 3 ? ` ${process.argv.slice(3).join(" ")}` : ""}\`: ` +
      `${cpus().length} cores (${cpus()[0]?.model.trim() ?? "?"}), wrangler dev and every client on this machine, loopback; ` +
      `mutations (\`updateCategory\`, one event each) offered at a fixed rate, ${(options.durationMs / 1000).toFixed(0)} s per row after ${(options.warmupMs / 1000).toFixed(0)} s of warm-up; ` +
      `latency = client receive time - the event's occurredAt; load at the end ${(loadavg()[0] ?? 0).toFixed(2)}.`,
    "",
    "| shards (used) | offered mutations/s | sockets | mutations/s | messages/s | delivered | p50 ms | p99 ms | max ms | p99 / p99 at 1 socket |",
    "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
  ];
  for (const trial of trials) {
    const one = trials.find((t) => t.shards === trial.shards && t.rate === trial.rate && t.sockets === 1);
    lines.push(
      `| ${trial.shards} (${trial.shardsSeen}) | ${trial.rate} | ${trial.sockets} | ${trial.mutationsPerSecond.toFixed(1)} | ${trial.messagesPerSecond.toFixed(0)} | ${trial.delivered}/${trial.expected} | ` +
        `${trial.p50.toFixed(1)} | ${trial.p99.toFixed(1)} | ${trial.max.toFixed(0)} | ${one ? (trial.p99 / one.p99).toFixed(2) : "-"} |`,
    );
  }
  return `${lines.join("\n")}\n`;
}
