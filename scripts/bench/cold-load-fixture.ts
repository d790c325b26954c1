// What the cold-load probes load from, laid out as the read-models bench lays
// it out: category streams of the given sizes (a snapshot 5 versions before
// the end) behind a 100,000-event log, on one warm pg connection.
import pg from "pg";
import { categoryStream, seedRebuildLog, type LoadableStream } from "./read-models.ts";

export async function openColdLoadFixture<const Sizes extends readonly number[]>(
  url: string,
  sizes: Sizes,
): Promise<{ db: pg.Client; streams: { [K in keyof Sizes]: LoadableStream } }> {
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  const streams = (await Promise.all(sizes.map((size) => categoryStream(db, size)))) as { [K in keyof Sizes]: LoadableStream };
  await seedRebuildLog(db, 100_000);
  await db.query("VACUUM ANALYZE event_store.snapshots");
  return { db, streams };
}

/** The file with the connection's backend's CPU and run-queue time in ns (`/proc/<pid>/schedstat`). */
export async function backendSchedstat(db: pg.Client): Promise<string> {
  return `/proc/${(await db.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0]!.pid}/schedstat`;
}
