// Child processes for the crash test (the seed, `npm start`, the rebuild
// script) and hard kills of what the local stack runs, found through /proc.
import { spawn, type ChildProcess } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { postmasterPid } from "../../scripts/lib/stack-leftovers.ts";
import { lockPath, type StackState } from "../../scripts/lib/stack-lock.ts";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** A deterministic generator (mulberry32), so a printed seed replays the same kill points. */
export function randomFrom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface ChildRun {
  child: ChildProcess;
  output(): string;
  /** Exit code, or the signal's name. */
  exited: Promise<number | string>;
}

/** Every child runs in its own process group, so afterAll can kill all it started. */
export const children = new Set<ChildProcess>();

export function runChild(command: string, args: string[], env: Record<string, string>): ChildRun {
  const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, ...env }, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  children.add(child);
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | string>((resolve) => {
    child.once("error", (error) => resolve(error.message));
    child.once("exit", (code, signal) => resolve(code ?? signal ?? "unknown"));
  });
  void exited.then(() => children.delete(child));
  return { child, output: () => output, exited };
}

export function runSeed(graphqlUrl: string): ChildRun {
  return runChild(join(ROOT, "node_modules/.bin/tsx"), ["scripts/seed-demo-data.ts"], { GRAPHQL_URL: graphqlUrl });
}

export function runRebuild(databaseUrl: string): ChildRun {
  return runChild(join(ROOT, "node_modules/.bin/tsx"), ["scripts/rebuild-projections.ts"], { DATABASE_URL: databaseUrl });
}

/** The real `npm start` on the given ports and data directory (not the test Postgres). */
export function npmStart(options: { port: number; pgPort: number; dataDir: string }): ChildRun {
  return runChild("npm", ["start"], {
    PORT: String(options.port),
    PG_PORT: String(options.pgPort),
    EDGE_DATA_DIR: options.dataDir,
    DATABASE_URL: "",
  });
}

export async function killChildGroups(): Promise<void> {
  for (const child of children) signal(-child.pid!, "SIGKILL");
  const deadline = Date.now() + 10_000;
  while (children.size > 0 && Date.now() < deadline) await sleep(50);
}

export function readStackState(dataDir: string): StackState | undefined {
  try {
    return JSON.parse(readFileSync(lockPath(dataDir), "utf8")) as StackState;
  } catch {
    return undefined;
  }
}

interface ProcessInfo {
  pid: number;
  ppid: number;
  pgrp: number;
  command: string;
}

function processes(): ProcessInfo[] {
  const found: ProcessInfo[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (fields[0] === "Z" || fields[0] === "X") continue;
      const command = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0").join(" ").trim();
      found.push({ pid: Number(entry), ppid: Number(fields[1]), pgrp: Number(fields[2]), command });
    } catch {
      // exited while we looked
    }
  }
  return found;
}

/** Live processes of a process group, e.g. `wrangler dev` and its workerd. */
export function processGroup(pgid: number): ProcessInfo[] {
  return processes().filter((p) => p.pgrp === pgid);
}

/** The postmaster of the stack's Postgres and its children (each backend leads its own group). */
export function postgresProcesses(dataDir: string): ProcessInfo[] {
  const pgDataDir = join(dataDir, "postgres");
  const postmaster = postmasterPid(pgDataDir);
  if (!postmaster) return [];
  const all = processes();
  const main = all.find((p) => p.pid === postmaster && p.command.includes(pgDataDir));
  return main ? [main, ...all.filter((p) => p.ppid === postmaster)] : [];
}

/**
 * A power cut: SIGKILL wrangler's group, every Postgres process and the
 * `npm start` group at once, so nothing gets to clean up.
 */
export async function crashMachine(dataDir: string, npmStartPid: number): Promise<void> {
  const wranglerPid = readStackState(dataDir)?.wranglerPid;
  const postgres = postgresProcesses(dataDir).map((p) => p.pid);
  if (wranglerPid) signal(-wranglerPid, "SIGKILL");
  for (const pid of postgres) signal(pid, "SIGKILL");
  signal(-npmStartPid, "SIGKILL");
  // Until a killed postmaster is reaped, its pid still exists, and a new
  // Postgres refuses the data directory whose postmaster.pid names it.
  await waitUntil(() => postgres.every((pid) => !exists(pid)), 10_000, "the killed Postgres processes to be reaped");
}

function exists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function waitUntil(done: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(100);
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}
