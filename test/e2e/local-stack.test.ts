// The real `npm start`, run as a child process the way a person runs it: on
// free ports, with its data in a temporary EDGE_DATA_DIR. It does not use the
// test Postgres that the global setup starts.
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { chmod, mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findFreePort, isPortFree } from "../../scripts/lib/ports.ts";
import { startWsProxy } from "../../scripts/lib/ws-proxy.ts";
import { createPool } from "../../src/db/connection.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

interface StackRun {
  child: ChildProcessWithoutNullStreams;
  output(): string;
  exited: Promise<number | null>;
  /** Resolves with the first match of pattern in the output; rejects if the process exits first. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
}

const runs: StackRun[] = [];
const tempDirs: string[] = [];

function npmStart(env: { PORT: number; PG_PORT: number; EDGE_DATA_DIR: string }): StackRun {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, PORT: String(env.PORT), PG_PORT: String(env.PG_PORT), EDGE_DATA_DIR: env.EDGE_DATA_DIR };
  delete childEnv.DATABASE_URL; // this test is about the embedded database
  const child = spawn("npm", ["start"], { cwd: ROOT, env: childEnv, stdio: "pipe", detached: true });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const run: StackRun = {
    child,
    output: () => output,
    exited,
    waitFor: async (pattern, timeoutMs = 120_000) => {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const match = output.match(pattern);
        if (match) return match;
        if (child.exitCode !== null) throw new Error(`npm start exited (${child.exitCode}) before printing ${pattern}:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error(`npm start did not print ${pattern} within ${timeoutMs} ms:\n${output}`);
    },
  };
  runs.push(run);
  return run;
}

async function stop(run: StackRun, timeoutMs = 30_000): Promise<number | null> {
  if (run.child.exitCode !== null || run.child.signalCode !== null) return run.child.exitCode;
  run.child.kill("SIGTERM");
  const timeout = new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), timeoutMs));
  const result = await Promise.race([run.exited, timeout]);
  if (result === "timeout") throw new Error(`npm start did not exit within ${timeoutMs} ms of SIGTERM:\n${run.output()}`);
  return result;
}

async function dataDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "edge-cqrs-stack-"));
  await chmod(dir, 0o755); // as root, Postgres runs as the postgres user
  tempDirs.push(dir);
  return dir;
}

async function withDatabase<T>(url: string, work: (query: (sql: string, params?: unknown[]) => Promise<unknown[]>) => Promise<T>): Promise<T> {
  const target = new URL(url);
  const proxy = await startWsProxy({ allowedTargets: [`${target.hostname}:${target.port}`] });
  const pool = createPool({ url, proxy: `127.0.0.1:${proxy.port}` }, 1);
  try {
    return await work(async (sql, params) => (await pool.query(sql, params)).rows);
  } finally {
    await pool.end();
    await proxy.close();
  }
}

async function readyUrls(run: StackRun): Promise<{ graphql: string; database: string }> {
  const [, graphql] = await run.waitFor(/GraphQL \(GraphiQL\)\s+(\S+)/);
  const [, database] = await run.waitFor(/Database\s+(\S+)/);
  return { graphql: graphql!, database: database! };
}

afterAll(async () => {
  for (const run of runs) {
    await stop(run).catch(() => {
      if (run.child.pid) process.kill(-run.child.pid, "SIGKILL");
    });
  }
  for (const dir of tempDirs) await rm(dir, { recursive: true, force: true });
});

describe("npm start", () => {
  let port: number;
  let pgPort: number;
  let dir: string;

  beforeAll(async () => {
    [port, pgPort, dir] = await Promise.all([findFreePort(), findFreePort(), dataDir()]);
  });

  it("serves GraphQL, stops cleanly on SIGTERM and keeps the data for the next start", async () => {
    const first = npmStart({ PORT: port, PG_PORT: pgPort, EDGE_DATA_DIR: dir });
    const urls = await readyUrls(first);
    expect(urls.graphql).toBe(`http://127.0.0.1:${port}/graphql`);
    expect(first.output()).toContain(`ws://127.0.0.1:${port}/graphql`);

    const health = await fetch(`http://127.0.0.1:${port}/health`);
    expect(health.status).toBe(200);
    const graphql = await fetch(urls.graphql, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: "{ health { status postgres { ok } } }" }),
    });
    expect(await graphql.json()).toEqual({ data: { health: { status: "ok", postgres: { ok: true } } } });

    const marker = randomUUID();
    await withDatabase(urls.database, async (query) => {
      await query("CREATE TABLE IF NOT EXISTS public.e2e_marker (value text PRIMARY KEY)");
      await query("INSERT INTO public.e2e_marker (value) VALUES ($1)", [marker]);
    });

    expect(await stop(first)).toBe(0);
    expect(first.output()).toContain("Stopped.");
    expect(await isPortFree(port)).toBe(true);
    expect(await isPortFree(pgPort)).toBe(true);
    expect(existsSync(join(dir, "stack.lock.json"))).toBe(false);

    const second = npmStart({ PORT: port, PG_PORT: pgPort, EDGE_DATA_DIR: dir });
    const again = await readyUrls(second);
    const rows = await withDatabase(again.database, (query) => query("SELECT value FROM public.e2e_marker"));
    expect(rows).toEqual([{ value: marker }]);
  });

  it("refuses a second start on the same data directory while one runs", async () => {
    const running = runs.at(-1)!;
    expect(running.child.exitCode).toBeNull();
    const [otherPort, otherPgPort] = await Promise.all([findFreePort(), findFreePort()]);
    const duplicate = npmStart({ PORT: otherPort, PG_PORT: otherPgPort, EDGE_DATA_DIR: dir });
    expect(await duplicate.exited).not.toBe(0);
    expect(duplicate.output()).toMatch(/already running/);
    expect(duplicate.output()).not.toMatch(/\n\s+at /); // no stack trace
    expect(running.child.exitCode).toBeNull();
    expect(await stop(running)).toBe(0);
  });

  it.each(["PORT", "PG_PORT"] as const)("explains that %s is already in use", async (name) => {
    const blocker = await listen();
    const busy = (blocker.address() as { port: number }).port;
    try {
      const ports = { PORT: await findFreePort(), PG_PORT: await findFreePort(), [name]: busy };
      const run = npmStart({ ...ports, EDGE_DATA_DIR: await dataDir() });
      expect(await run.exited).not.toBe(0);
      expect(run.output()).toContain(`Port ${busy} `);
      expect(run.output()).toMatch(/already in use/);
      expect(run.output()).not.toMatch(/\n\s+at /);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });
});

describe("npm start after a killed one", () => {
  it("stops what the killed stack left running and starts", async () => {
    const dir = await dataDir();
    const env = { PORT: await findFreePort(), PG_PORT: await findFreePort(), EDGE_DATA_DIR: dir };
    const killed = npmStart(env);
    await readyUrls(killed);
    const { pid } = JSON.parse(await readFile(join(dir, "stack.lock.json"), "utf8")) as { pid: number };
    process.kill(pid, "SIGKILL"); // the stack process itself: no chance to stop wrangler or Postgres
    await killed.exited;
    expect(await isPortFree(env.PORT)).toBe(false);

    const next = npmStart(env);
    await readyUrls(next);
    expect(next.output()).toMatch(/was killed; stopped what it left running: wrangler dev \(pid \d+\), Postgres \(pid \d+\)/);
    expect(await stop(next)).toBe(0);
  });
});

function listen(): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve(server));
  });
}
