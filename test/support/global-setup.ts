// Starts the embedded Postgres servers (fresh, in a temp dir) and the WebSocket
// proxy for the whole test run, applies the migrations, and hands the addresses
// to the tests through provide/inject. DATABASE_URL runs the suite against an
// existing Postgres instead (its schemas must be empty or migrated).
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { startLocalPostgres, type LocalPostgres } from "../../scripts/lib/local-postgres.ts";
import { startWsProxy } from "../../scripts/lib/ws-proxy.ts";
import { applyMigrations } from "../../scripts/lib/migrate.ts";
import { findFreePort } from "../../scripts/lib/ports.ts";
import { buildDashboard, DASHBOARD_BUILT } from "../../scripts/lib/dashboard-build.ts";

/** A Postgres server for one Workers test file at a time (test/support/workers-runtime.ts). */
export interface DatabaseLane {
  url: string;
  proxy: string;
}

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
    databaseProxy: string;
    databaseLanes: DatabaseLane[];
  }
}

/**
 * How many Workers test files run side by side, each on a Postgres server of
 * its own (vitest.config.ts); one against an existing DATABASE_URL.
 */
export const DATABASE_LANES = process.env.DATABASE_URL ? 1 : 2;

export default async function setup(project: TestProject) {
  // The deploy bundle and the browser tests serve public/; the stacks tests start reuse this build.
  await buildDashboard();
  process.env[DASHBOARD_BUILT] = "1";
  const servers: LocalPostgres[] = [];
  let dataDir: string | undefined;
  let urls = [process.env.DATABASE_URL ?? ""];
  if (!process.env.DATABASE_URL) {
    dataDir = await mkdtemp(join(tmpdir(), "edge-cqrs-test-"));
    await chmod(dataDir, 0o755); // as root, Postgres runs as the postgres user
    const ports: number[] = [];
    while (ports.length < DATABASE_LANES) {
      const port = await findFreePort();
      if (!ports.includes(port)) ports.push(port);
    }
    const root = dataDir;
    servers.push(...(await Promise.all(ports.map((port, lane) => startLocalPostgres({ dataDir: join(root, `pg${lane}`), port, persistent: false })))));
    urls = servers.map((server) => server.url);
  }
  const targets = urls.map((url) => new URL(url)).map((target) => `${target.hostname}:${target.port || 5432}`);
  const proxy = await startWsProxy({ allowedTargets: targets });
  const databaseProxy = `127.0.0.1:${proxy.port}`;
  await Promise.all(urls.map((url) => applyMigrations({ url, proxy: databaseProxy })));

  // The node tests use the first server; the Workers files every lane, one file per lane at a time.
  project.provide("databaseUrl", urls[0]!);
  project.provide("databaseProxy", databaseProxy);
  project.provide(
    "databaseLanes",
    urls.map((url) => ({ url, proxy: databaseProxy })),
  );

  return async () => {
    await proxy.close();
    await Promise.all(servers.map((server) => server.stop()));
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  };
}
