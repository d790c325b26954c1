// `npm run bench -- --stack`: the whole stack as a client feels it. Starts the
// local stack the way `npm start` does (fresh Postgres in a temp dir, free
// ports), or uses a running one (GRAPHQL_URL + DATABASE_URL), and drives
// GraphQL over keep-alive HTTP with 1, 8 and 32 clients. Every row is reported
// with its ratio to the floor (`{ __typename }` through the same stack, same
// concurrency, same run), and with the Postgres sessions opened and
// transactions committed per request (pg_stat_database deltas).
import { mkdtemp, rm, chmod } from "node:fs/promises";
import { loadavg, tmpdir, cpus } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { findFreePort } from "../lib/ports.ts";
import { buildDashboard } from "../lib/dashboard-build.ts";
import { startStack, type LocalStack } from "../lib/stack.ts";

export interface StackBenchOptions {
  clients: number[];
  durationMs: number;
  warmupMs: number;
  only?: string[];
}

interface Row {
  name: string;
  /** Builds one client's next request (clients are numbered from 0). */
  request(client: number, i: number): { query: string; variables?: Record<string, unknown> };
}

interface Trial {
  row: string;
  clients: number;
  opsPerSecond: number;
  p50: number;
  p99: number;
  errors: number;
  sessionsPerRequest: number;
  transactionsPerRequest: number;
}

export async function runStackBench(options: StackBenchOptions): Promise<string> {
  const target = await openTarget();
  const stats = new pg.Client({ connectionString: target.databaseUrl });
  await stats.connect();
  try {
    const rows = await prepareRows(target.graphql, Math.max(...options.clients));
    const trials: Trial[] = [];
    for (const clients of options.clients) {
      for (const row of rows.filter((r) => !options.only || options.only.some((name) => r.name.startsWith(name)))) {
        await drive(target.graphql, row, clients, options.warmupMs);
        const before = await databaseCounters(stats);
        const measured = await drive(target.graphql, row, clients, options.durationMs);
        const after = await databaseCounters(stats);
        const requests = Math.max(1, measured.latencies.length + measured.errors);
        const trial: Trial = {
          row: row.name,
          clients,
          opsPerSecond: (measured.latencies.length / options.durationMs) * 1000,
          p50: percentile(measured.latencies, 50),
          p99: percentile(measured.latencies, 99),
          errors: measured.errors,
          sessionsPerRequest: (after.sessions - before.sessions) / requests,
          transactionsPerRequest: (after.commits - before.commits) / requests,
        };
        trials.push(trial);
        console.error(
          `${String(clients).padStart(2)} clients  ${row.name.padEnd(28)} ${trial.opsPerSecond.toFixed(0).padStart(5)} ops/s  p50 ${trial.p50.toFixed(1)} ms  ` +
            `p99 ${trial.p99.toFixed(1)} ms  errors ${trial.errors}  sessions/req ${trial.sessionsPerRequest.toFixed(2)}  xacts/req ${trial.transactionsPerRequest.toFixed(1)}  (load ${(loadavg()[0] ?? 0).toFixed(2)})`,
        );
      }
    }
    return report(trials, options);
  } finally {
    await stats.end();
    await target.close();
  }
}

/** The stack to drive: a running one (GRAPHQL_URL + DATABASE_URL), or one started as `npm start` does, on free ports. */
export async function openTarget(command = "npm run bench -- --stack", vars?: Record<string, string>): Promise<{ graphql: string; databaseUrl: string; close(): Promise<void> }> {
  if (process.env.GRAPHQL_URL) {
    if (!process.env.DATABASE_URL) throw new Error("with GRAPHQL_URL, also set DATABASE_URL (the stack's Postgres, for its counters)");
    return { graphql: process.env.GRAPHQL_URL, databaseUrl: process.env.DATABASE_URL, close: async () => undefined };
  }
  // wrangler dev refuses to start without the static assets directory.
  await buildDashboard();
  const dataDir = await mkdtemp(join(tmpdir(), "edge-cqrs-bench-"));
  await chmod(dataDir, 0o755); // as root, Postgres runs as the postgres user
  const [port, pgPort] = await Promise.all([findFreePort(), findFreePort()]);
  let stack: LocalStack | undefined;
  try {
    stack = await startStack({ dataDir, port, pgPort, echo: false, log: (line) => console.error(line), command, vars });
  } catch (error) {
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
  const started = stack;
  return {
    graphql: started.urls.graphql,
    databaseUrl: started.databaseUrl,
    close: async () => {
      await started.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Creates what the rows read and write: a small catalog, a category per client, one hot category. */
async function prepareRows(url: string, maxClients: number): Promise<Row[]> {
  const call = (query: string, variables: Record<string, unknown> = {}) => graphql(url, query, variables, true);
  const root = (await call(`mutation { createCategory(input: { name: "Bench root" }) { id } }`)).createCategory.id as string;
  const children: string[] = [];
  for (let i = 0; i < 5; i++) children.push((await call(`mutation($p: ID!) { createCategory(input: { name: "Bench child ${i}", parentId: $p }) { id } }`, { p: root })).createCategory.id);
  const products: string[] = [];
  for (let i = 0; i < 20; i++) {
    const input = { name: `Bench product ${i}`, categoryId: children[i % children.length], price: `${(i + 1) * 1.5}`, stockQuantity: 1_000_000 };
    products.push((await call(`mutation($input: CreateProductInput!) { createProduct(input: $input) { id } }`, { input })).createProduct.id);
  }
  const own: string[] = [];
  for (let i = 0; i < maxClients; i++) own.push((await call(`mutation { createCategory(input: { name: "Bench writer ${i}" }) { id } }`)).createCategory.id);
  const hot = (await call(`mutation { createCategory(input: { name: "Bench hot" }) { id } }`)).createCategory.id as string;
  const update = `mutation($id: ID!, $name: String!) { updateCategory(input: { id: $id, name: $name }) { version } }`;
  return [
    { name: "floor: { __typename }", request: () => ({ query: "{ __typename }" }) },
    { name: "read: categories(limit: 10)", request: () => ({ query: "{ categories(limit: 10) { id name } }" }) },
    { name: "read: product(id)", request: (c, i) => ({ query: "query($id: ID!) { product(id: $id) { id name price stockQuantity } }", variables: { id: products[(c + i) % products.length] } }) },
    {
      name: "read: nested",
      request: () => ({ query: "{ categories(limit: 5) { name children { name } } products(limit: 10) { name price category { name parent { name } } } }" }),
    },
    { name: "write: own category each", request: (c, i) => ({ query: update, variables: { id: own[c], name: `Bench writer ${c} ${i}` } }) },
    { name: "write: one hot category", request: (c, i) => ({ query: update, variables: { id: hot, name: `Bench hot ${c} ${i}` } }) },
    {
      name: "write: createOrder",
      request: (c, i) => ({
        query: `mutation($input: CreateOrderInput!) { createOrder(input: $input) { success } }`,
        variables: { input: { userId: `bench-${c}`, items: [{ productId: products[(c + i) % products.length], quantity: 1 }] } },
      }),
    },
  ];
}

/** `clients` loops sending requests back to back until `durationMs` is over. */
async function drive(url: string, row: Row, clients: number, durationMs: number): Promise<{ latencies: number[]; errors: number }> {
  const latencies: number[] = [];
  let errors = 0;
  const end = performance.now() + durationMs;
  await Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      for (let i = 0; performance.now() < end; i++) {
        const { query, variables } = row.request(client, i);
        const began = performance.now();
        try {
          await graphql(url, query, variables ?? {}, false);
          latencies.push(performance.now() - began);
        } catch {
          errors++;
        }
      }
    }),
  );
  return { latencies, errors };
}

// Node's fetch keeps connections alive by default (undici's pool per origin).
export async function graphql(url: string, query: string, variables: Record<string, unknown>, strict: boolean): Promise<Record<string, any>> {
  const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query, variables }) });
  const body = (await response.json()) as { data?: Record<string, any>; errors?: { message: string }[] };
  if (body.errors?.length || !body.data) {
    if (strict) throw new Error(`${query}: ${JSON.stringify(body.errors)}`);
    throw new Error(body.errors?.[0]?.message ?? `HTTP ${response.status}`);
  }
  return body.data;
}

async function databaseCounters(client: pg.Client): Promise<{ sessions: number; commits: number }> {
  const { rows } = await client.query<{ sessions: string; commits: string }>(
    "SELECT sessions::text AS sessions, xact_commit::text AS commits FROM pg_stat_database WHERE datname = current_database()",
  );
  // This connection's own query commits too: leave it out.
  return { sessions: Number(rows[0]!.sessions), commits: Number(rows[0]!.commits) - 1 };
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function report(trials: Trial[], options: StackBenchOptions): string {
  const lines = [
    `Measured ${new Date().toISOString().slice(0, 10)} with \`npm run bench -- --stack${process.argv.includes("--clients") ? " ..." : ""}\`: ` +
      `${cpus().length} cores, ${(options.durationMs / 1000).toFixed(0)} s per row after ${(options.warmupMs / 1000).toFixed(0)} s of warm-up, load at the end ${(loadavg()[0] ?? 0).toFixed(2)}.`,
    "",
    "| clients | request | ops/s | p50 ms | p99 ms | x floor | errors | PG sessions / req | PG transactions / req |",
    "|---:|---|---:|---:|---:|---:|---:|---:|---:|",
  ];
  for (const trial of trials) {
    const floor = trials.find((t) => t.clients === trial.clients && t.row.startsWith("floor"));
    const ratio = floor ? (trial.opsPerSecond / floor.opsPerSecond).toFixed(2) : "-";
    lines.push(
      `| ${trial.clients} | \`${trial.row}\` | ${trial.opsPerSecond.toFixed(0)} | ${trial.p50.toFixed(1)} | ${trial.p99.toFixed(1)} | ${ratio} | ${trial.errors} | ` +
        `${trial.sessionsPerRequest.toFixed(2)} | ${trial.transactionsPerRequest.toFixed(1)} |`,
    );
  }
  return `${lines.join("\n")}\n`;
}
