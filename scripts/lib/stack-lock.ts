// One stack per data directory. The lock file also tells other commands
// (`npm run migrate`, a second `npm start`) what the running stack is using.
import { link, mkdir, readFile, rename, unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { isRunning, startTime } from "./processes.ts";
import { StackError } from "./stack-error.ts";
import { stopLeftovers } from "./stack-leftovers.ts";

export interface StackState {
  pid: number;
  /** What holds the lock, for messages: "npm start", "npm run migrate". */
  command: string;
  startedAt: string;
  /** Set once the embedded Postgres is up; absent while starting or with DATABASE_URL. */
  databaseUrl?: string;
  graphqlUrl?: string;
  /** Process group of `wrangler dev`, to stop it if this stack is killed. */
  wranglerPid?: number;
}

export interface StackLock {
  readonly path: string;
  update(changes: Partial<StackState>): Promise<void>;
  release(): Promise<void>;
}

export function lockPath(dataDir: string): string {
  return join(dataDir, "stack.lock.json");
}

export async function acquireStackLock(dataDir: string, command: string): Promise<StackLock> {
  await mkdir(dataDir, { recursive: true });
  const path = lockPath(dataDir);
  let state: StackState = { pid: process.pid, command, startedAt: new Date().toISOString() };
  for (let attempt = 0; attempt < 3; attempt++) {
    if (await createExclusively(path, state)) {
      return {
        path,
        update: async (changes) => {
          state = { ...state, ...changes };
          await writeAtomically(path, state);
        },
        release: () => unlink(path).catch(() => undefined),
      };
    }
    const holder = await readStackState(dataDir);
    if (holder && isHolderAlive(holder)) throw alreadyRunning(holder, path);
    if (holder) await takeOverFromKilled(dataDir, holder);
    await unlink(path).catch(() => undefined);
  }
  throw new StackError(`Could not take the lock ${path}. If no npm start is running, delete that file and try again.`);
}

/** The stack holding the lock on dataDir, if its process is still alive. */
export async function readLiveStack(dataDir: string): Promise<StackState | undefined> {
  const state = await readStackState(dataDir);
  return state && isHolderAlive(state) ? state : undefined;
}

async function readStackState(dataDir: string): Promise<StackState | undefined> {
  try {
    return JSON.parse(await readFile(lockPath(dataDir), "utf8")) as StackState;
  } catch {
    return undefined;
  }
}

// The holder was killed (kill -9, a closed terminal, a crash) and may have left
// wrangler and Postgres running on this data directory and its ports.
async function takeOverFromKilled(dataDir: string, stale: StackState): Promise<void> {
  const stopped = await stopLeftovers(dataDir, stale);
  if (stopped.length > 0) {
    console.log(`An earlier \`${stale.command}\` (pid ${stale.pid}) was killed; stopped what it left running: ${stopped.join(", ")}.`);
  }
}

// link() publishes a fully written file atomically and fails if one exists, so
// a concurrent reader never sees a half-written lock.
async function createExclusively(path: string, state: StackState): Promise<boolean> {
  const draft = `${path}.${process.pid}.tmp`;
  await writeFile(draft, JSON.stringify(state, null, 2));
  try {
    await link(draft, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  } finally {
    await unlink(draft).catch(() => undefined);
  }
}

async function writeAtomically(path: string, state: StackState): Promise<void> {
  const draft = `${path}.${process.pid}.tmp`;
  await writeFile(draft, JSON.stringify(state, null, 2));
  await rename(draft, path);
}

// A lock left behind by a killed process names a pid that may since belong to
// another program (containers reuse the same pids on every restart): a process
// that started after the lock was written cannot be its holder.
function isHolderAlive(state: StackState): boolean {
  if (!isRunning(state.pid)) return false;
  const started = startTime(state.pid);
  return started === undefined || started <= Date.parse(state.startedAt) + 2000;
}

function alreadyRunning(holder: StackState, path: string): StackError {
  const where = holder.graphqlUrl ? ` and serves ${holder.graphqlUrl}` : " and is still starting";
  return new StackError(
    `The local stack is already running: \`${holder.command}\` (pid ${holder.pid}) holds ${path}${where}. ` +
      `Use that one, or stop it first (Ctrl-C in its terminal, or \`kill ${holder.pid}\`). ` +
      `To run a second stack side by side, give it its own EDGE_DATA_DIR, PORT and PG_PORT.`,
  );
}
