// `npm run bench -- --stack`: the whole stack as a client feels it. Starts the
// local stack the way `npm start` does (fresh Postgres in a temp dir, free
// ports), or uses a running one (GRAPHQL_URL + DATABASE_URL), and drives
// GraphQL over keep-alive HTTP with 1, 8 and 32 clients, in several rounds.
// Every row is reported with its ratio to the floor (`{ __typename }` through
// the same stack, same concurrency, same round), and with what a request costs
// Postgres: sessions opened and transactions committed (pg_stat_database
// deltas) and statements run (pg_stat_statements deltas).
import { mkdtemp, rm, chmod } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { ACTIVE_STATUSES } from "../../src/sagas/order-saga-types.ts";
import type { SectionOutcome } from "./aims.ts";
import { findFreePort } from "../lib/ports.ts";
import { buildDashboard } from "../lib/dashboard-build.ts";
import { startStack, type LocalStack } from "../lib/stack.ts";
import { renderStackReport, stackAims, type StackTrial } from "./stack-report.ts";

export interface StackBenchOptions {
  clients: number[];
  rounds: number;
  durationMs: number;
  warmupMs: number;
  only?: string[];
  /** The command line, as the report names it. */
  command: string;
  /** Called with the stack's stop once it runs, so a Ctrl-C can stop it. */
  started?(close: () => Promise<void>): void;
}

interface Row {
  name: string;
  /** Builds one client's next request (clients are numbered from 0). */
  request(client: number, i: number): { query: string; variables?: Record<string, unknown> };
}

// The statements each request runs are counted by pg_stat_statements, which
// must be loaded when the server starts: only the stack this bench starts gets
// it (`npm start` does not), and only top-level statements count (round trips).
const STATEMENT_STATS_FLAGS = ["-c", "shared_preload_libraries=pg_stat_statements"];
const SETTLE_LIMIT_MS = 120_000;

export async function runStackBench(options: StackBenchOptions): Promise<SectionOutcome> {
  const target = await openTarget(options.command, undefined, STATEMENT_STATS_FLAGS);
  options.started?.(target.close);
  const stats = new pg.Client({ connectionString: target.databaseUrl });
  try {
    await stats.connect();
    const countsStatements = await enableStatementStats(stats, target.started);
    const rows = (await prepareRows(target.graphql, Math.max(...options.clients))).filter(
      (r) => !options.only || options.only.some((name) => r.name.startsWith(name)),
    );
    const trials: StackTrial[] = [];
    for (let round = 0; round < options.rounds; round++) {
      for (const clients of options.clients) {
        for (const row of rows) {
          if (countsStatements) await settle(stats);
          await drive(target.graphql, row, clients, options.warmupMs);
          const before = await databaseCounters(stats, countsStatements);
          const measured = await drive(target.graphql, row, clients, options.durationMs);
          const after = await databaseCounters(stats, countsStatements);
          const requests = Math.max(1, measured.latencies.length + measured.errors);
          const trial: StackTrial = {
            row: row.name,
            clients,
            round,
            opsPerSecond: (measured.latencies.length / options.durationMs) * 1000,
            p50: percentile(measured.latencies, 50),
            p99: percentile(measured.latencies, 99),
            errors: measured.errors,
            sessionsPerRequest: (after.sessions - before.sessions) / requests,
            transactionsPerRequest: (after.commits - before.commits) / requests,
            statementsPerRequest: countsStatements ? (after.statements - before.statements) / requests : undefined,
          };
          trials.push(trial);
          console.error(
            `round ${round + 1}/${options.rounds} ${String(clients).padStart(2)} clients  ${row.name.padEnd(28)} ${trial.opsPerSecond.toFixed(0).padStart(5)} ops/s  p50 ${trial.p50.toFixed(1)} ms  ` +
              `p99 ${trial.p99.toFixed(1)} ms  errors ${trial.errors}  sessions/req ${trial.sessionsPerRequest.toFixed(2)}  xacts/req ${trial.transactionsPerRequest.toFixed(1)}  ` +
              `statements/req ${trial.statementsPerRequest?.toFixed(1) ?? "n/a"}  (load ${(loadavg()[0] ?? 0).toFixed(2)})`,
          );
        }
      }
    }
    const facts = { command: options.command, rounds: options.rounds, durationMs: options.durationMs, warmupMs: options.warmupMs, countsStatements };
    return { report: renderStackReport(trials, facts), aims: stackAims(trials) };
  } finally {
    await stats.end().catch(() => undefined);
    await target.close();
  }
}

/**
 * Creates pg_stat_statements in the stack's database when this bench started
 * that stack (never in a running one the bench was pointed at); counts
 * statements if the view answers, and says why not otherwise.
 */
async function enableStatementStats(client: pg.Client, startedHere: boolean): Promise<boolean> {
  try {
    if (startedHere) await client.query("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
    await client.query("SELECT 1 FROM pg_stat_statements LIMIT 1");
    return true;
  } catch (error) {
    console.error(`statements per request not counted: ${error instanceof Error ? error.message : String(error)}`);
    return false;
  }
}

/** The stack to drive: a running one (GRAPHQL_URL + DATABASE_URL), or one started as `npm start` does, on free ports. */
export async function openTarget(
  command = "npm run bench -- --stack",
  vars?: Record<string, string>,
  postgresFlags?: string[],
): Promise<{ graphql: string; databaseUrl: string; started: boolean; close(): Promise<void> }> {
  if (process.env.GRAPHQL_URL) {
    if (!process.env.DATABASE_URL) throw new Error("with GRAPHQL_URL, also set DATABASE_URL (the stack's Postgres, for its counters)");
    return { graphql: process.env.GRAPHQL_URL, databaseUrl: process.env.DATABASE_URL, started: false, close: async () => undefined };
  }
  // wrangler dev refuses to start without the static assets directory.
  await buildDashboard();
  const dataDir = await mkdtemp(join(tmpdir(), "edge-cqrs-bench-"));
  await chmod(dataDir, 0o755); // as root, Postgres runs as the postgres user
  const [port, pgPort] = await Promise.all([findFreePort(), findFreePort()]);
  let stack: LocalStack | undefined;
  try {
    stack = await startStack({ dataDir, port, pgPort, echo: false, log: (line) => console.error(line), command, vars, postgresFlags });
  } catch (error) {
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
  const started = stack;
  return {
    graphql: started.urls.graphql,
    databaseUrl: started.databaseUrl,
    started: true,
    // Idempotent: a signal handler and the run's own cleanup may both call it.
    close: once(async () => {
      await started.stop();
      await rm(dataDir, { recursive: true, force: true });
    }),
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

async function databaseCounters(client: pg.Client, countsStatements: boolean): Promise<{ sessions: number; commits: number; statements: number }> {
  // The bench's own counter queries are left out of the statements.
  const statements = countsStatements
    ? "(SELECT coalesce(sum(calls), 0) FROM pg_stat_statements s WHERE s.dbid = d.datid AND s.query NOT LIKE '%pg_stat_%')::text"
    : "'0'";
  const { rows } = await client.query<{ sessions: string; commits: string; statements: string }>(
    `SELECT d.sessions::text AS sessions, d.xact_commit::text AS commits, ${statements} AS statements FROM pg_stat_database d WHERE d.datname = current_database()`,
  );
  // This connection's own query commits too: leave it out.
  return { sessions: Number(rows[0]!.sessions), commits: Number(rows[0]!.commits) - 1, statements: Number(rows[0]!.statements) };
}

/**
 * Waits until no saga is in flight and the database has run no statement for
 * half a second (at most 2 minutes): the sagas and consumers a row set off
 * (createOrder's above all: 32 clients leave hundreds of sagas behind on a
 * loaded machine, each pausing for its retry backoffs, so a quiet half second
 * alone is not enough) would otherwise run on into the next row and be
 * counted against it.
 */
async function settle(client: pg.Client): Promise<void> {
  const started = performance.now();
  const deadline = started + SETTLE_LIMIT_MS;
  let last = await activity(client);
  while (performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const now = await activity(client);
    if (now.statements === last.statements && now.activeSagas === 0) {
      const waited = performance.now() - started;
      if (waited > 5_000) console.error(`waited ${(waited / 1000).toFixed(0)} s for the stack to go quiet`);
      return;
    }
    last = now;
  }
  console.error(`the stack was still busy after ${SETTLE_LIMIT_MS / 1000} s (${last.activeSagas} sagas in flight): measuring anyway`);
}

/** Statements run so far and sagas in flight, in one statement the counts leave out (its text names pg_stat_). */
async function activity(client: pg.Client): Promise<{ statements: number; activeSagas: number }> {
  const { rows } = await client.query<{ statements: string; active_sagas: string }>(
    `SELECT (SELECT coalesce(sum(calls), 0) FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
               WHERE d.datname = current_database() AND s.query NOT LIKE '%pg_stat_%')::text AS statements,
            (SELECT count(*) FROM event_store.sagas WHERE status = ANY($1::text[]))::text AS active_sagas`,
    [ACTIVE_STATUSES],
  );
  return { statements: Number(rows[0]!.statements), activeSagas: Number(rows[0]!.active_sagas) };
}

function once(run: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () => (running ??= run());
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
