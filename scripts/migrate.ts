// `npm run migrate`: applies the migrations in migrations/ to DATABASE_URL if
// set, otherwise to the embedded database in EDGE_DATA_DIR (.data/): the one a
// running `npm start` uses, or a temporary start of it.
import { LocalPostgresError } from "./lib/local-postgres.ts";
import { applyMigrations } from "./lib/migrate.ts";
import { openStackDatabase, targetOf } from "./lib/stack-database.ts";
import { StackError } from "./lib/stack-error.ts";
import { acquireStackLock, readLiveStack } from "./lib/stack-lock.ts";
import { redactPassword, stackOptionsFromEnv, type StackOptions } from "./lib/stack-options.ts";
import { startWsProxy } from "./lib/ws-proxy.ts";

async function main(): Promise<void> {
  const options = stackOptionsFromEnv();
  if (options.databaseUrl) return migrate(options.databaseUrl, "DATABASE_URL");

  const running = await readLiveStack(options.dataDir);
  if (running?.databaseUrl) return migrate(running.databaseUrl, `the running \`${running.command}\` (pid ${running.pid})`);
  if (running) {
    throw new StackError(
      `\`${running.command}\` (pid ${running.pid}) holds ${options.dataDir} but has no embedded database to share: ` +
        `it is still starting, or it uses a DATABASE_URL of its own (then run \`DATABASE_URL=... npm run migrate\`).`,
    );
  }
  await migrateEmbedded(options);
}

// Nothing runs on the data directory: start its Postgres just for this, under
// the same lock, so a concurrent `npm start` waits its turn.
async function migrateEmbedded(options: StackOptions): Promise<void> {
  const lock = await acquireStackLock(options.dataDir, "npm run migrate");
  try {
    const database = await openStackDatabase({ dataDir: options.dataDir, pgPort: options.pgPort });
    try {
      await migrate(database.url, `the embedded Postgres in ${options.dataDir}`);
    } finally {
      await database.stop();
    }
  } finally {
    await lock.release();
  }
}

async function migrate(url: string, source: string): Promise<void> {
  const proxy = await startWsProxy({ allowedTargets: [targetOf(url)] });
  try {
    await applyMigrations({ url, proxy: `127.0.0.1:${proxy.port}` });
  } catch (error) {
    throw new StackError(`Applying the migrations to ${redactPassword(url)} failed: ${messageOf(error)}`);
  } finally {
    await proxy.close();
  }
  console.log(`Migrations applied to ${redactPassword(url)} (${source}).`);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

try {
  await main();
  process.exit(0);
} catch (error) {
  const known = error instanceof StackError || error instanceof LocalPostgresError;
  console.error(known ? (error as Error).message : `npm run migrate failed: ${messageOf(error)}`);
  process.exit(1);
}
