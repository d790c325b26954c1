// Closed-loop load: each writer appends, waits for the answer, appends again,
// for a warm-up and then a measured window. The same loop drives every
// contender, so only what a contender does per append differs.
import { randomUUID } from "node:crypto";
import pg from "pg";

/** What one append call did: events written, and conflicts it retried past. */
export interface AppendOutcome {
  events: number;
  conflicts: number;
}

/** One append by one writer (which keeps its own stream and version). */
export type Writer = () => Promise<AppendOutcome>;

/** A contender set up for one trial: a pool sized to the writers, one Writer each. */
export interface Trial {
  writer(index: number): Writer;
  close(): Promise<void>;
}

export interface Contender {
  name: string;
  prepare(url: string, writers: number): Promise<Trial>;
}

export interface Timing {
  warmupMs: number;
  durationMs: number;
}

export interface Measurement {
  eventsPerSecond: number;
  /** Per append call, retries included; milliseconds. */
  p50: number;
  p99: number;
  conflictsPerEvent: number;
  appends: number;
  /** Events written in the whole trial, warm-up included. */
  totalEvents: number;
  /** CPU time of this Node process (driver, library, JSON) per event, warm-up included; microseconds. */
  clientCpuPerEvent: number;
}

export const ONE_EVENT: AppendOutcome = { events: 1, conflicts: 0 };

export async function measure(contender: Contender, url: string, writers: number, timing: Timing): Promise<Measurement> {
  const trial = await contender.prepare(url, writers);
  try {
    const cpuAtStart = process.cpuUsage();
    const start = performance.now();
    const windowStart = start + timing.warmupMs;
    const windowEnd = windowStart + timing.durationMs;
    const results = await Promise.all(
      Array.from({ length: writers }, (_, index) => drive(trial.writer(index), windowStart, windowEnd)),
    );
    // Appends started inside the window count in full, so the window ends at the last answer.
    const lastAnswer = Math.max(windowEnd, ...results.map((result) => result.lastAnswer));
    const latencies = results.flatMap((result) => result.latencies).sort((a, b) => a - b);
    const events = sum(results.map((result) => result.events));
    const cpu = process.cpuUsage(cpuAtStart);
    const totalEvents = sum(results.map((result) => result.allEvents));
    return {
      eventsPerSecond: events / ((lastAnswer - windowStart) / 1000),
      p50: percentile(latencies, 0.5),
      p99: percentile(latencies, 0.99),
      conflictsPerEvent: events === 0 ? 0 : sum(results.map((result) => result.conflicts)) / events,
      appends: latencies.length,
      totalEvents,
      clientCpuPerEvent: (cpu.user + cpu.system) / totalEvents,
    };
  } finally {
    await trial.close();
  }
}

async function drive(append: Writer, windowStart: number, windowEnd: number) {
  const latencies: number[] = [];
  let events = 0;
  let allEvents = 0;
  let conflicts = 0;
  let lastAnswer = 0;
  for (;;) {
    const sent = performance.now();
    if (sent >= windowEnd) break;
    const outcome = await append();
    const answered = performance.now();
    allEvents += outcome.events;
    if (sent >= windowStart) {
      latencies.push(answered - sent);
      events += outcome.events;
      conflicts += outcome.conflicts;
      lastAnswer = answered;
    }
  }
  return { latencies, events, allEvents, conflicts, lastAnswer };
}

/** A pg Pool with one connection per writer, all opened before the clock starts. */
export async function openPool(url: string, writers: number): Promise<pg.Pool> {
  const pool = newPool(url, writers);
  const clients = await Promise.all(Array.from({ length: writers }, () => pool.connect()));
  for (const client of clients) client.release();
  return pool;
}

export interface WriterConnections {
  clients: pg.PoolClient[];
  close(): Promise<void>;
}

/**
 * One connection per writer, checked out of the pool for the whole trial, as
 * an AggregateDO keeps its warm Client. (pool.query would be simpler, but
 * pg-pool destroys a connection whenever a query fails, so every version
 * conflict would cost a reconnect.)
 */
export async function openWriterConnections(url: string, writers: number): Promise<WriterConnections> {
  const pool = newPool(url, writers);
  const clients = await Promise.all(Array.from({ length: writers }, () => pool.connect()));
  // A checked-out client has no pool listener: a lost connection must fail the
  // trial (through the query in flight), not crash the process and leave the
  // temporary Postgres behind.
  for (const client of clients) client.on("error", () => undefined);
  return {
    clients,
    async close() {
      for (const client of clients) client.release();
      await pool.end();
    },
  };
}

function newPool(url: string, writers: number): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max: writers, idleTimeoutMillis: 0 });
  // An idle connection that the server closes (Postgres stopping at the end)
  // would otherwise crash the process with an unhandled 'error' event.
  pool.on("error", () => undefined);
  return pool;
}

/**
 * A contender whose writers each keep one connection for the trial. `setUp`
 * runs once on the first connection; `hotStreamId` is one stream shared by all
 * writers of the trial, for the contenders that write to a single stream.
 */
export function connectionPerWriter(
  name: string,
  writerOn: (db: pg.PoolClient, hotStreamId: string) => Writer,
  setUp?: (db: pg.PoolClient) => Promise<unknown>,
): Contender {
  return {
    name,
    async prepare(url, writers) {
      const connections = await openWriterConnections(url, writers);
      await setUp?.(connectionOf(connections, 0));
      const hotStreamId = randomUUID();
      return {
        writer: (index) => writerOn(connectionOf(connections, index), hotStreamId),
        close: () => connections.close(),
      };
    },
  };
}

/** The connection of writer `index`. */
export function connectionOf({ clients }: WriterConnections, index: number): pg.PoolClient {
  const client = clients[index];
  if (!client) throw new RangeError(`no connection for writer ${index}`);
  return client;
}

/** The payload every contender writes for one event. */
export const BENCH_EVENT = {
  type: "BenchItemAdded",
  data: { sku: "SKU-000123", quantity: 3, unitPrice: "19.99", note: "benchmark event" },
} as const;

function percentile(sorted: number[], fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)] ?? Number.NaN;
}

function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
