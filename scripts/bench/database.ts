// A fresh embedded Postgres for one benchmark run, with our migrations applied,
// and the facts about the machine that a reader needs to judge the numbers.
import { execFileSync } from "node:child_process";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { availableParallelism, cpus, loadavg, tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { startLocalPostgres } from "../lib/local-postgres.ts";
import { applyMigrations } from "../lib/migrate.ts";
import { findFreePort } from "../lib/ports.ts";
import { startWsProxy } from "../lib/ws-proxy.ts";

export interface BenchDatabase {
  url: string;
  machine: MachineFacts;
  stop(): Promise<void>;
}

export interface MachineFacts {
  nproc: number;
  cpu: string;
  node: string;
  postgres: string;
  /** 1-minute load average when the run started: other work on a shared machine shows here. */
  loadAtStart: number;
}

export interface BenchDatabaseOptions {
  /** Load pg_stat_statements (tracking nested statements too); it costs a little on every statement. */
  statementStats?: boolean;
}

const STATEMENT_STATS_FLAGS = [
  "-c", "shared_preload_libraries=pg_stat_statements",
  "-c", "pg_stat_statements.track=all",
  "-c", "pg_stat_statements.track_planning=on",
  "-c", "track_functions=all",
];

export async function startBenchDatabase(options: BenchDatabaseOptions = {}): Promise<BenchDatabase> {
  const loadAtStart = loadavg()[0] ?? 0;
  const dataDir = await mkdtemp(join(tmpdir(), "edge-cqrs-bench-"));
  if (userInfo().uid === 0) await chmod(dataDir, 0o755); // Postgres runs as the postgres user
  const removeDataDir = () => rm(dataDir, { recursive: true, force: true });

  let postgres: Awaited<ReturnType<typeof startLocalPostgres>>;
  try {
    postgres = await startLocalPostgres({
      dataDir: join(dataDir, "pg"),
      port: await findFreePort(),
      persistent: false,
      extraFlags: options.statementStats ? STATEMENT_STATS_FLAGS : [],
    });
  } catch (error) {
    await removeDataDir();
    throw error;
  }
  // Idempotent: a signal handler and the run's own cleanup may both call it.
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      await postgres.stop();
      await removeDataDir();
    })());

  try {
    // The migrator speaks the neon driver, which needs the WebSocket proxy.
    const proxy = await startWsProxy({ allowedTargets: [`127.0.0.1:${postgres.port}`] });
    try {
      await applyMigrations({ url: postgres.url, proxy: `127.0.0.1:${proxy.port}` });
    } finally {
      await proxy.close();
    }
    if (options.statementStats) await execute(postgres.url, "CREATE EXTENSION pg_stat_statements");
    const machine: MachineFacts = {
      nproc: nproc(),
      cpu: cpus()[0]?.model.trim() ?? "unknown",
      node: process.version,
      postgres: (await execute(postgres.url, "SHOW server_version"))[0]?.server_version ?? "unknown",
      loadAtStart,
    };
    return { url: postgres.url, machine, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Runs one statement on a short-lived connection. */
export async function execute(url: string, text: string): Promise<Record<string, string>[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<Record<string, string>>(text)).rows;
  } finally {
    await client.end();
  }
}

function nproc(): number {
  try {
    return Number(execFileSync("nproc", { encoding: "utf8" }).trim());
  } catch {
    return availableParallelism();
  }
}
