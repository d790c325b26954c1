// Starts one embedded Postgres (fresh, in a temp dir) and the WebSocket proxy
// for the whole test run, applies the migrations, and hands the addresses to
// the tests through provide/inject. DATABASE_URL runs the suite against an
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

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
    databaseProxy: string;
  }
}

export default async function setup(project: TestProject) {
  // The deploy bundle and the browser tests serve public/; the stacks tests start reuse this build.
  await buildDashboard();
  process.env[DASHBOARD_BUILT] = "1";
  let postgres: LocalPostgres | undefined;
  let dataDir: string | undefined;
  let databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) {
    dataDir = await mkdtemp(join(tmpdir(), "edge-cqrs-test-"));
    await chmod(dataDir, 0o755); // as root, Postgres runs as the postgres user
    postgres = await startLocalPostgres({ dataDir: join(dataDir, "pg"), port: await findFreePort(), persistent: false });
    databaseUrl = postgres.url;
  }
  const target = new URL(databaseUrl);
  const proxy = await startWsProxy({ allowedTargets: [`${target.hostname}:${target.port || 5432}`] });
  const databaseProxy = `127.0.0.1:${proxy.port}`;
  await applyMigrations({ url: databaseUrl, proxy: databaseProxy });

  project.provide("databaseUrl", databaseUrl);
  project.provide("databaseProxy", databaseProxy);

  return async () => {
    await proxy.close();
    await postgres?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  };
}
