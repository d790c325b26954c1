// Where the local stack listens and keeps its data, read once from the
// environment so `npm start`, `npm run migrate` and tests agree.
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { StackError } from "./stack-error.ts";

export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));

export interface StackOptions {
  /** HTTP port of `wrangler dev` (PORT, default 8787). */
  port: number;
  /** Port of the embedded Postgres (PG_PORT, default 54329). */
  pgPort: number;
  /** Local state: Postgres data, Durable Object storage, the lock file (EDGE_DATA_DIR, default .data/). */
  dataDir: string;
  /** An existing Postgres to use instead of the embedded one (DATABASE_URL). */
  databaseUrl?: string;
}

export function stackOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): StackOptions {
  requireNode22();
  return {
    port: portFromEnv(env, "PORT", 8787),
    pgPort: portFromEnv(env, "PG_PORT", 54329),
    dataDir: env.EDGE_DATA_DIR ? resolve(env.EDGE_DATA_DIR) : resolve(REPO_ROOT, ".data"),
    databaseUrl: databaseUrlFromEnv(env),
  };
}

// wrangler needs Node 22, and so does the neon driver in Node (a global
// WebSocket). npm scripts and npx run the node@22 from node_modules/.bin.
function requireNode22(): void {
  const major = Number(process.versions.node.split(".")[0]);
  if (major >= 22) return;
  throw new StackError(
    `This needs Node 22 or later, but runs on Node ${process.versions.node}. ` +
      `Run it as \`npm start\` / \`npm run migrate\` (or through npx) after \`npm ci\`: npm puts the project's own Node 22 ` +
      `(node_modules/.bin/node) first on PATH.`,
  );
}

function portFromEnv(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const value = env[name];
  if (value === undefined || value === "") return fallback;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new StackError(`${name}=${value} is not a port number (1-65535).`);
  }
  return port;
}

function databaseUrlFromEnv(env: NodeJS.ProcessEnv): string | undefined {
  const url = env.DATABASE_URL;
  if (!url) return undefined;
  if (!URL.canParse(url) || !/^postgres(ql)?:$/.test(new URL(url).protocol)) {
    throw new StackError(`DATABASE_URL must be a postgres:// connection string (got "${redactPassword(url)}").`);
  }
  return url;
}

/** The URL with its password replaced, safe to print. */
export function redactPassword(url: string): string {
  if (!URL.canParse(url)) return url.replace(/:[^:@/]*@/, ":***@");
  const parsed = new URL(url);
  if (parsed.password) parsed.password = "***";
  return parsed.toString();
}
