// Where the Node client's CPU per append goes: one connection, N appends in a
// row for each way of sending it, alternating, and process.cpuUsage() around
// each batch (the client's CPU only, so the machine's load moves it little).
//   raw        the raw one-row INSERT of `npm run bench`
//   statement  the library's append statement sent with db.query (named), no library code
//   library    appendToStream
//   before     appendToStream of another checkout (--before /work/main), on a
//              connection of its own (its statement may differ under one name)
//   code       appendToStream against a Queryable that answers at once with a
//              fixed row, no socket: the library's own code alone (--ways picks it)
//   wait0, wait300us, wait1ms   `SELECT pg_sleep($1)`: the same messages every
//              time, only the server's time differs (--ways picks them)
//
//   npx tsx scripts/bench/append-client-cpu.ts [--appends 2000] [--rounds 3] [--ways raw,library] [--before /work/main]
// (--ways picks some, e.g. one at a time under `npx tsx --cpu-prof`.)
import { randomUUID } from "node:crypto";
import { parseArgs } from "node:util";
import pg from "pg";
import { appendText } from "../../src/event-store/append-statement.ts";
import { appendToStream, type Queryable } from "../../src/event-store/index.ts";
import { startBenchDatabase } from "./database.ts";
import { BENCH_EVENT } from "./runner.ts";

const { values } = parseArgs({ options: { appends: { type: "string", default: "2000" }, rounds: { type: "string", default: "3" }, ways: { type: "string" }, before: { type: "string" } } });
const APPENDS = Number(values.appends);
const EVENTS_TEXT = appendText({ hasEvents: true, hasKeys: false });
const PAYLOAD = JSON.stringify(BENCH_EVENT.data);

const before = values.before ? ((await import(`${values.before}/src/event-store/index.ts`)) as { appendToStream: typeof appendToStream }) : undefined;
const appended = { rows: [{ stream_version: 1, transaction_id: "1234567", global_sequence: "7654321" }] };
const answersAtOnce = { query: async () => appended } as unknown as Queryable;
const database = await startBenchDatabase();
const db = new pg.Client({ connectionString: database.url });
const beforeDb = new pg.Client({ connectionString: database.url });
try {
  await db.connect();
  await beforeDb.connect();
  await beforeDb.query("SET synchronous_commit = off");
  await db.query("CREATE TABLE bench_raw (stream_id uuid NOT NULL, version integer NOT NULL, data jsonb NOT NULL, UNIQUE (stream_id, version))");
  const ways: Record<string, () => Promise<unknown>> = {
    raw: () => db.query("INSERT INTO bench_raw (stream_id, version, data) VALUES ($1, $2, $3)", [randomUUID(), 1, PAYLOAD]),
    statement: () =>
      db.query({ name: "probe_append", text: EVENTS_TEXT, values: [randomUUID(), "bench", 0, JSON.stringify([BENCH_EVENT])] }),
    library: () => appendToStream(db, "bench", randomUUID(), [BENCH_EVENT], { expectedVersion: 0 }),
    ...(before && { before: () => before.appendToStream(beforeDb, "bench", randomUUID(), [BENCH_EVENT], { expectedVersion: 0 }) }),
    code: () => appendToStream(answersAtOnce, "bench", randomUUID(), [BENCH_EVENT], { expectedVersion: 0 }),
    wait0: () => db.query("SELECT pg_sleep($1)", [0]),
    wait300us: () => db.query("SELECT pg_sleep($1)", [0.0003]),
    wait1ms: () => db.query("SELECT pg_sleep($1)", [0.001]),
  };
  const picked = values.ways?.split(",") ?? ["raw", "statement", "library", ...(before ? ["before"] : [])];
  await db.query("SET synchronous_commit = off"); // the flush is not the client's
  for (let round = 0; round < Number(values.rounds); round++) {
    const line: string[] = [];
    const order = Object.entries(ways).filter(([name]) => picked.includes(name));
    for (const [name, send] of round % 2 === 0 ? order : order.reverse()) {
      for (let i = 0; i < 100; i++) await send(); // warm-up
      const cpu = process.cpuUsage();
      const start = performance.now();
      for (let i = 0; i < APPENDS; i++) await send();
      const used = process.cpuUsage(cpu);
      line.push(`${name} ${((used.user + used.system) / APPENDS).toFixed(0)} µs CPU, ${(((performance.now() - start) * 1000) / APPENDS).toFixed(0)} µs wall`);
    }
    console.log(`round ${round + 1}: ${line.join(" | ")}`);
  }
} finally {
  await db.end();
  await beforeDb.end();
  await database.stop();
}
