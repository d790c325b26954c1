import { env } from "cloudflare:workers";
import { connectClient } from "../../src/db/connection.ts";
import { gqlData } from "../workers/support.ts";

/**
 * Holds a projection back, running, until release(): a session locks its
 * checkpoint row, so the projector's next batch waits on the lock. That batch
 * holds a transaction id meanwhile, which holds every log consumer back too.
 */
export async function holdProjection(name: string) {
  const db = await connectClient({ url: env.DATABASE_URL, proxy: env.DB_PROXY });
  await db.query("INSERT INTO query.checkpoints (consumer) VALUES ($1) ON CONFLICT (consumer) DO NOTHING", [name]);
  await db.query("BEGIN");
  await db.query("SELECT 1 FROM query.checkpoints WHERE consumer = $1 FOR UPDATE", [name]);
  let released: Promise<void> | undefined;
  return {
    release() {
      released ??= db.query("COMMIT").then(
        () => db.end(),
        () => db.end(),
      );
      return released;
    },
  };
}

export interface Status {
  name: string;
  status: string;
  processedCount: number;
  lastError: string | null;
  position: string | null;
  eventsBehind: number;
  msBehind: number;
  lagP50Ms: number | null;
  lagP99Ms: number | null;
  failedSequence: string | null;
  rebuild: { processedCount: number; eventsBehind: number } | null;
}

export async function projectionStatus(name: string): Promise<Status> {
  const { projectionStatus } = await gqlData(`{ projectionStatus {
    name status processedCount lastError position eventsBehind msBehind lagP50Ms lagP99Ms failedSequence rebuild { processedCount eventsBehind } } }`);
  return (projectionStatus as Status[]).find((s) => s.name === name)!;
}

/**
 * Polls projectionStatus until `done` holds. It never wakes the projector:
 * the wake-up after a commit, the consumer's own polling and its alarm must
 * get there by themselves (a test that loses wake-ups on purpose wakes once).
 */
export async function waitForStatus(name: string, done: (status: Status) => boolean, timeoutMs = 60_000): Promise<Status> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await projectionStatus(name);
    if (done(status)) return status;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${name}: ${JSON.stringify(status)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export const caughtUp = (status: Status) => status.status === "running" && status.eventsBehind === 0 && !status.rebuild;
