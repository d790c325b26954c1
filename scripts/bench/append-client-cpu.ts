// Where the Node client's CPU per append goes: one connection, N appends in a
// row for each way of sending it, alternating, and process.cpuUsage() around
// each batch (the client's CPU only, so the machine's load moves it little).
//   raw        the raw one-row INSERT of `npm run bench`
//   statement  the library's append statement sent with db.query (named), no library code
//   library    appendToStream
//
//   npx tsx scripts/bench/append-client-cpu.ts [--appends 2000] [--rounds 3]
import { randomUUID } from "node:crypto";
import { parseArgs } from "node:util";
import pg from "pg";
import { appendText } from "../../src/event-store/append-statement.ts";
import { appendToStream } from "../../src/event-store/index.ts";
import { startBenchDatabase } from "./database.ts";
import { BENCH_EVENT } from "./runner.ts";

const { values } = parseArgs({ options: { appends: { type: "string", default: "2000" }, rounds: { type: "string", default: "3" } } });
const APPENDS = Number(values.appends);
const EVENTS_TEXT = appendText({ hasEvents: true, hasKeys: false });
const PAYLOAD = JSON.stringify(BENCH_EVENT.data);

const database = await startBenchDatabase();
const db = new pg.Client({ connectionString: database.url });
try {
  await db.connect();
  await db.query("CREATE TABLE bench_raw (stream_id uuid NOT NULL, version integer NOT NULL, data jsonb NOT NULL, UNIQUE (stream_id, version))");
  const ways: Record<string, () => Promise<unknown>> = {
    raw: () => db.query("INSERT INTO bench_raw (stream_id, version, data) VALUES ($1, $2, $3)", [randomUUID(), 1, PAYLOAD]),
    statement: () =>
      db.query({ name: "probe_append", text: EVENTS_TEXT, values: [randomUUID(), "bench", 0, JSON.stringify([BENCH_EVENT])] }),
    library: () => appendToStream(db, "bench", randomUUID(), [BENCH_EVENT], { expectedVersion: 0 }),
  };
  await db.query("SET synchronous_commit = off"); // the flush is not the client's
  for (let round = 0; round < Number(values.rounds); round++) {
    const line: string[] = [];
    for (const [name, send] of Object.entries(ways)) {
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
  await database.stop();
}
