// The whole local stack in one call: Postgres, migrations, the WebSocket proxy
// the neon driver needs locally, and `wrangler dev`. Used by `npm start`, and
// by tests and benchmarks that need the real thing.
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { applyMigrations } from "./migrate.ts";
import { stackAuthVars } from "./stack-auth.ts";
import { isPortFree } from "./ports.ts";
import { openStackDatabase } from "./stack-database.ts";
import { StackError } from "./stack-error.ts";
import { acquireStackLock } from "./stack-lock.ts";
import type { StackOptions } from "./stack-options.ts";
import { startWranglerDev, type WranglerDev, type WranglerExit } from "./wrangler-dev.ts";
import { startWsProxy } from "./ws-proxy.ts";

export interface StackUrls {
  graphql: string;
  websocket: string;
  dashboard: string;
  health: string;
  /** Printable: the password is hidden unless it is the embedded server's. */
  database: string;
}

export interface LocalStack {
  urls: StackUrls;
  databaseUrl: string;
  /** "127.0.0.1:port" of the WebSocket proxy to Postgres (the Worker's DB_PROXY). */
  databaseProxy: string;
  /** Settles if wrangler exits by itself; `stop` is still needed for the rest. */
  exited: Promise<WranglerExit>;
  /** Stops wrangler, the proxy and Postgres, in that order, and releases the data directory. */
  stop(): Promise<void>;
  /** Kills wrangler at once, for a second Ctrl-C. */
  kill(): void;
}

export interface StartStackOptions extends StackOptions {
  /** Named in the lock file, for "already running" messages. */
  command?: string;
  /** Aborting it stops a start in progress (what was started is stopped again). */
  signal?: AbortSignal;
  /** Echo wrangler's output (default true). */
  echo?: boolean;
  /** Progress messages (default: console.log). */
  log?: (message: string) => void;
  /** More Worker vars (e.g. BROADCASTER_SHARDS for a benchmark). */
  vars?: Record<string, string>;
  /** More server flags for the embedded Postgres (e.g. pg_stat_statements for a benchmark). */
  postgresFlags?: string[];
}

const HEALTH_TIMEOUT_MS = 120_000;

export async function startStack(options: StartStackOptions): Promise<LocalStack> {
  const log = options.log ?? console.log;
  const teardown = new Teardown();
  const checkpoint = () => options.signal?.throwIfAborted();
  try {
    const lock = await acquireStackLock(options.dataDir, options.command ?? "npm start");
    teardown.add(() => lock.release());
    await ensureHttpPortFree(options.port);

    log(
      options.databaseUrl
        ? "Using the Postgres at DATABASE_URL."
        : `Starting Postgres (port ${options.pgPort}, data in ${join(options.dataDir, "postgres")})...`,
    );
    const database = await openStackDatabase(options);
    teardown.add(() => database.stop());
    if (database.embedded) await lock.update({ databaseUrl: database.url });
    checkpoint();

    const proxy = await startWsProxy({ allowedTargets: [database.target] });
    teardown.add(() => proxy.close());
    const databaseProxy = `127.0.0.1:${proxy.port}`;
    log("Applying migrations...");
    await applyMigrations({ url: database.url, proxy: databaseProxy }).catch((error: unknown) => {
      throw new StackError(`Applying the migrations to ${database.displayUrl} failed: ${messageOf(error)}`);
    });
    checkpoint();

    log(`Starting wrangler dev on port ${options.port}...`);
    const auth = stackAuthVars();
    log(auth.summary);
    const wrangler = startWranglerDev({
      port: options.port,
      vars: { DATABASE_URL: database.url, DB_PROXY: databaseProxy, ...auth.vars, ...options.vars },
      persistTo: join(options.dataDir, "wrangler"),
      echo: options.echo,
    });
    teardown.add(() => wrangler.stop());
    await lock.update({ wranglerPid: wrangler.pid });
    const urls = stackUrls(options.port, database.displayUrl);
    await waitForHealth(urls.health, wrangler, options);
    await lock.update({ graphqlUrl: urls.graphql });

    return {
      urls,
      databaseUrl: database.url,
      databaseProxy,
      exited: wrangler.exited,
      stop: once(() => teardown.run()),
      kill: wrangler.kill,
    };
  } catch (error) {
    await teardown.run().catch(() => undefined);
    throw error;
  }
}

function stackUrls(port: number, database: string): StackUrls {
  const origin = `127.0.0.1:${port}`;
  return {
    graphql: `http://${origin}/graphql`,
    websocket: `ws://${origin}/graphql`,
    dashboard: `http://${origin}/`,
    health: `http://${origin}/health`,
    database,
  };
}

async function ensureHttpPortFree(port: number): Promise<void> {
  if (await isPortFree(port)) return;
  throw new StackError(
    `Port ${port} for the Worker (wrangler dev) is already in use, probably by another \`npm start\` or \`wrangler dev\`. ` +
      `Stop that program, or choose another port, e.g. \`PORT=${port + 1} npm start\`.`,
  );
}

async function waitForHealth(url: string, wrangler: WranglerDev, options: StartStackOptions): Promise<void> {
  let exit: WranglerExit | undefined;
  void wrangler.exited.then((result) => (exit = result));
  let lastAnswer = "no answer";
  const deadline = Date.now() + HEALTH_TIMEOUT_MS;
  while (Date.now() < deadline) {
    options.signal?.throwIfAborted();
    if (exit) throw wranglerFailed(exit, wrangler, options.echo !== false);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
      if (response.status === 200) return;
      lastAnswer = `${response.status} ${await response.text()}`;
    } catch (error) {
      lastAnswer = messageOf(error);
    }
    await sleep(250);
  }
  throw new StackError(
    `The Worker did not report healthy at ${url} within ${HEALTH_TIMEOUT_MS / 1000} s (last answer: ${lastAnswer}).`,
  );
}

function wranglerFailed(exit: WranglerExit, wrangler: WranglerDev, echoed: boolean): StackError {
  const how = exit.error ?? (exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`);
  const output = echoed ? "Its output is above." : `Its last output:\n${wrangler.recentOutput()}`;
  return new StackError(
    `wrangler dev ${how} before the Worker answered /health, so the stack was stopped. ` +
      `This is usually a build error in src/ or a problem in wrangler.toml. ${output}`,
  );
}

/** Stops what was started, last started first, even when some steps fail. */
class Teardown {
  #steps: Array<() => Promise<void>> = [];

  add(step: () => Promise<void>): void {
    this.#steps.push(step);
  }

  async run(): Promise<void> {
    let firstError: unknown;
    for (const step of this.#steps.splice(0).reverse()) {
      await step().catch((error: unknown) => (firstError ??= error));
    }
    if (firstError !== undefined) throw firstError;
  }
}

function once(run: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () => (running ??= run());
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
