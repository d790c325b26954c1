// One-off scripts that work on the stack's database (`npm run migrate`,
// `npm run rebuild-projections`): DATABASE_URL if set, otherwise the embedded
// database in EDGE_DATA_DIR (.data/) - the one a running `npm start` uses, or
// a temporary start of it under the stack's lock.
import type { DatabaseSettings } from "../../src/db/connection.ts";
import { LocalPostgresError } from "./local-postgres.ts";
import { openStackDatabase, targetOf } from "./stack-database.ts";
import { StackError } from "./stack-error.ts";
import { acquireStackLock, readLiveStack } from "./stack-lock.ts";
import { redactPassword, stackOptionsFromEnv } from "./stack-options.ts";
import { startWsProxy } from "./ws-proxy.ts";

export type DatabaseWork = (database: DatabaseSettings, description: string) => Promise<void>;

/** Runs `work` against the stack's database and exits the process: 0, or 1 with a one-line reason. */
export async function runDatabaseTask(command: string, work: DatabaseWork): Promise<never> {
  try {
    await withStackDatabase(command, work);
    process.exit(0);
  } catch (error) {
    const known = error instanceof StackError || error instanceof LocalPostgresError;
    console.error(known ? (error as Error).message : `${command} failed: ${messageOf(error)}`);
    process.exit(1);
  }
}

async function withStackDatabase(command: string, work: DatabaseWork): Promise<void> {
  const options = stackOptionsFromEnv();
  if (options.databaseUrl) return withProxy(options.databaseUrl, "DATABASE_URL", work);

  const running = await readLiveStack(options.dataDir);
  if (running?.databaseUrl) return withProxy(running.databaseUrl, `the running \`${running.command}\` (pid ${running.pid})`, work);
  if (running) {
    throw new StackError(
      `\`${running.command}\` (pid ${running.pid}) holds ${options.dataDir} but has no embedded database to share: ` +
        `it is still starting, or it uses a DATABASE_URL of its own (then run \`DATABASE_URL=... ${command}\`).`,
    );
  }
  // Nothing runs on the data directory: start its Postgres just for this, under
  // the same lock, so a concurrent `npm start` waits its turn.
  const lock = await acquireStackLock(options.dataDir, command);
  try {
    const database = await openStackDatabase({ dataDir: options.dataDir, pgPort: options.pgPort });
    try {
      await withProxy(database.url, `the embedded Postgres in ${options.dataDir}`, work);
    } finally {
      await database.stop();
    }
  } finally {
    await lock.release();
  }
}

// The neon driver speaks WebSocket only: bridge to the database for this run.
async function withProxy(url: string, source: string, work: DatabaseWork): Promise<void> {
  const proxy = await startWsProxy({ allowedTargets: [targetOf(url)] });
  try {
    await work({ url, proxy: `127.0.0.1:${proxy.port}` }, `${redactPassword(url)} (${source})`);
  } finally {
    await proxy.close();
  }
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
