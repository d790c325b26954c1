// Baselines with no event store at all: plain INSERTs into a plain table whose
// only index is UNIQUE (stream_id, version), each statement in its own
// (auto-committed) transaction. What Postgres itself costs per committed row.
import { randomUUID } from "node:crypto";
import { BENCH_EVENT, connectionOf, openWriterConnections, type AppendOutcome, type Contender } from "./runner.ts";

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
export const rawOneRow: Contender = {
  name: "raw",
  async prepare(url, writers) {
    const connections = await openWriterConnections(url, writers);
    await connectionOf(connections, 0).query(rawTable("bench_raw"));
    return {
      writer(index) {
        const db = connectionOf(connections, index);
        const streamId = randomUUID();
        let version = 0;
        return async () => {
          version += 1;
          await db.query("INSERT INTO bench_raw (stream_id, version, data) VALUES ($1, $2, $3)", [streamId, version, PAYLOAD]);
          return { events: 1, conflicts: 0 };
        };
      },
      close: () => connections.close(),
    };
  },
};

const ROWS_PER_STATEMENT = 100;
const INSERT_BATCH = `INSERT INTO bench_raw100 (stream_id, version, data) VALUES ${Array.from(
  { length: ROWS_PER_STATEMENT },
  (_, row) => `($${3 * row + 1}, $${3 * row + 2}, $${3 * row + 3})`,
).join(", ")}`;

/** 100 rows per INSERT (one transaction): events/s counts rows. */
export const rawHundredRows: Contender = {
  name: "raw100",
  async prepare(url, writers) {
    const connections = await openWriterConnections(url, writers);
    await connectionOf(connections, 0).query(rawTable("bench_raw100"));
    return {
      writer(index) {
        const db = connectionOf(connections, index);
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
      close: () => connections.close(),
    };
  },
};

/**
 * Diagnostic: the one-row INSERT straight into our event_store.events table
 * (its five indexes and defaults), without the append function, stream lock or
 * streams row. Between raw and ours, it shows what the table itself costs.
 */
export const rawEventsTable: Contender = {
  name: "raw events-table",
  async prepare(url, writers) {
    const connections = await openWriterConnections(url, writers);
    return {
      writer(index) {
        const db = connectionOf(connections, index);
        const streamId = randomUUID();
        let version = 0;
        return async () => {
          version += 1;
          await db.query(
            `INSERT INTO event_store.events (aggregate_id, aggregate_type, event_type, event_data, event_version)
             VALUES ($1, 'bench', $2, $3, $4)`,
            [streamId, BENCH_EVENT.type, PAYLOAD, version],
          );
          return { events: 1, conflicts: 0 };
        };
      },
      close: () => connections.close(),
    };
  },
};
