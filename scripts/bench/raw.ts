// Baselines with no event store at all: plain INSERTs into a plain table whose
// only index is UNIQUE (stream_id, version), each statement in its own
// (auto-committed) transaction. What Postgres itself costs per committed row.
import { randomUUID } from "node:crypto";
import { BENCH_EVENT, connectionPerWriter, type AppendOutcome, type Writer } from "./runner.ts";

const PAYLOAD = JSON.stringify(BENCH_EVENT.data);

function rawTable(name: string): string {
  return `CREATE TABLE IF NOT EXISTS ${name} (
    stream_id uuid NOT NULL,
    version integer NOT NULL,
    data jsonb NOT NULL,
    UNIQUE (stream_id, version)
  )`;
}

/** One row per INSERT, one INSERT per transaction. */
export const rawOneRow = connectionPerWriter(
  "raw",
  (db) => oneRowWriter((streamId, version) => db.query("INSERT INTO bench_raw (stream_id, version, data) VALUES ($1, $2, $3)", [streamId, version, PAYLOAD])),
  (db) => db.query(rawTable("bench_raw")),
);

const ROWS_PER_STATEMENT = 100;
const INSERT_BATCH = `INSERT INTO bench_raw100 (stream_id, version, data) VALUES ${Array.from(
  { length: ROWS_PER_STATEMENT },
  (_, row) => `($${3 * row + 1}, $${3 * row + 2}, $${3 * row + 3})`,
).join(", ")}`;

/** 100 rows per INSERT (one transaction): events/s counts rows. */
export const rawHundredRows = connectionPerWriter(
  "raw100",
  (db) => {
    const streamId = randomUUID();
    let version = 0;
    const outcome: AppendOutcome = { events: ROWS_PER_STATEMENT, conflicts: 0 };
    return async () => {
      const params: unknown[] = [];
      for (let row = 0; row < ROWS_PER_STATEMENT; row++) params.push(streamId, (version += 1), PAYLOAD);
      await db.query(INSERT_BATCH, params);
      return outcome;
    };
  },
  (db) => db.query(rawTable("bench_raw100")),
);

/**
 * Diagnostic: the one-row INSERT straight into our event_store.events table
 * (its indexes and defaults), without the append function or stream lock. Between raw and ours, it shows what the table itself costs.
 */
export const rawEventsTable = connectionPerWriter("raw events-table", (db) =>
  oneRowWriter((streamId, version) =>
    db.query(
      `INSERT INTO event_store.events (aggregate_id, aggregate_type, event_type, event_data, event_version)
       VALUES ($1, 'bench', $2, $3, $4)`,
      [streamId, BENCH_EVENT.type, PAYLOAD, version],
    ),
  ),
);

/** A writer of one row at a time to its own stream, versions 1, 2, 3... */
function oneRowWriter(insert: (streamId: string, version: number) => Promise<unknown>): Writer {
  const streamId = randomUUID();
  let version = 0;
  const outcome: AppendOutcome = { events: 1, conflicts: 0 };
  return async () => {
    await insert(streamId, (version += 1));
    return outcome;
  };
}
