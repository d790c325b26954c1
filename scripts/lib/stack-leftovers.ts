// What a killed stack leaves running: `wrangler dev` (in its own process group)
// and the embedded Postgres. Only processes whose arguments name this data
// directory are stopped, so a pid reused by another program is left alone.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { commandLine, isRunning } from "./processes.ts";

export interface Leftovers {
  wranglerPid?: number;
}

/** Stops the leftovers of a stack that used dataDir; returns what was stopped, for a message. */
export async function stopLeftovers(dataDir: string, leftovers: Leftovers): Promise<string[]> {
  const stopped: string[] = [];
  const wranglerPid = leftovers.wranglerPid;
  if (wranglerPid && isRunning(wranglerPid) && commandLine(wranglerPid)?.includes(join(dataDir, "wrangler"))) {
    signal(-wranglerPid, "SIGTERM");
    if (!(await waitFor(() => !isRunning(wranglerPid), 10_000))) signal(-wranglerPid, "SIGKILL");
    stopped.push(`wrangler dev (pid ${wranglerPid})`);
  }
  const pgDataDir = join(dataDir, "postgres");
  const postgresPid = postmasterPid(pgDataDir);
  if (postgresPid && isRunning(postgresPid) && commandLine(postgresPid)?.includes(pgDataDir)) {
    signal(postgresPid, "SIGINT"); // Postgres' fast shutdown
    await waitFor(() => !existsSync(join(pgDataDir, "postmaster.pid")), 30_000);
    stopped.push(`Postgres (pid ${postgresPid})`);
  }
  return stopped;
}

/** The pid in Postgres' postmaster.pid, if the file is there. */
export function postmasterPid(pgDataDir: string): number | undefined {
  try {
    const pid = Number(readFileSync(join(pgDataDir, "postmaster.pid"), "utf8").split("\n")[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}

async function waitFor(done: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) return false;
    await sleep(100);
  }
  return true;
}
