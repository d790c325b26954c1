// What a cold load with a snapshot is made of, on ONE warm connection of one
// fresh Postgres holding the read-models bench's streams (1k category events,
// a snapshot 5 versions before the end, a 100k-event log):
// 1. wall time, the parts taking turns call by call: `SELECT 1` (simple
//    protocol) and a named one-parameter statement, the round-trip floor of
//    this driver and connection; the load's statement alone (driver decodes
//    the rows, no fold); `aggregateStream` with and without the snapshot;
// 2. the server's execution time per statement (pg_stat_statements), each
//    kind alone;
// 3. CPU per call, client (this process) and server (the backend, /proc):
//    robust to the waits for a core that a loaded machine adds;
// 4. a load timed right after another kind of load, and after untimed
//    `SELECT 1` round trips (the bench's ruler, scripts/bench/read-models.ts);
// 5. the bench's cold-load ruler (scripts/bench/read-models.ts) four ways,
//    taking turns in one process: the kinds one by one, one by one after two
//    settling round trips (the bench's), after 10 ms idle (as a Durable
//    Object that was not running), and in blocks of 7.
//
//   npx tsx scripts/bench/cold-load-parts.ts --loads 400 --rounds 4
import { readFile } from "node:fs/promises";
import { LoadSampler, currentLoad } from "./load.ts";
import { parseArgs } from "node:util";
import { categoryWriteModel } from "../../src/commands/category-write-model.ts";
import { aggregateStream, type NamedStatement, type Queryable } from "../../src/event-store/index.ts";
import { startBenchDatabase } from "./database.ts";
import { median } from "./figures.ts";
import { coldLoads, folding, type ColdLoadRuler } from "./read-models.ts";
import { openColdLoadFixture } from "./cold-load-fixture.ts";

const { values: args } = parseArgs({
  options: { loads: { type: "string", default: "400" }, size: { type: "string", default: "1000" }, rounds: { type: "string", default: "4" } },
});
const loads = Number(args.loads);
const { decider } = categoryWriteModel;

/** The load statement as `aggregateStream` sends it (captured from one call). */
let loadStatement: NamedStatement | undefined;
await aggregateStream(
  { query: async (statement: NamedStatement) => ((loadStatement = statement), { rows: [] }) } as unknown as Queryable,
  "00000000-0000-0000-0000-000000000000",
  { initialState: () => null, evolve: (s) => s },
);

const describe = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return `median ${median(sorted).toFixed(3)} ms, p25 ${sorted[Math.floor(sorted.length / 4)]!.toFixed(3)}, p75 ${sorted[Math.floor((sorted.length * 3) / 4)]!.toFixed(3)}`;
};

const database = await startBenchDatabase({ statementStats: true });
const load = new LoadSampler();
try {
  const { db, streams: [stream] } = await openColdLoadFixture(database.url, [Number(args.size)]);
  const withSnapshot = { ...folding, snapshot: { stateVersion: decider.stateVersion } };

  const parts: Record<string, () => Promise<unknown>> = {
    "SELECT 1 (simple)": () => db.query("SELECT 1"),
    "SELECT $1 (named)": () => db.query({ name: "probe_one", text: "SELECT $1::integer AS one", values: [1] }),
    "load statement with snapshot": () => db.query({ ...loadStatement!, values: [stream.id, decider.stateVersion, decider.aggregateType] }),
    "load statement without": () => db.query({ ...loadStatement!, values: [stream.id, null, decider.aggregateType] }),
    "aggregateStream with snapshot": () => aggregateStream(db, stream.id, withSnapshot),
    "aggregateStream without": () => aggregateStream(db, stream.id, folding),
  };
  const names = Object.keys(parts);
  const heavy = (name: string) => name.endsWith("without");

  console.log(`1. wall time, taking turns call by call (${loads} calls each)`);
  for (const name of names) await parts[name]!();
  const times: Record<string, number[]> = Object.fromEntries(names.map((name) => [name, []]));
  for (let i = 0; i < loads; i++) {
    for (const name of i % 2 ? names : [...names].reverse()) {
      const started = performance.now();
      await parts[name]!();
      times[name]!.push(performance.now() - started);
    }
  }
  for (const name of names) console.log(`  ${name.padEnd(30)} ${describe(times[name]!)}`);

  console.log("2. server execution time per call (pg_stat_statements), each kind alone");
  for (const name of names.filter((name) => !name.startsWith("aggregateStream") && name !== "SELECT 1 (simple)")) {
    await db.query("SELECT pg_stat_statements_reset()");
    const n = heavy(name) ? Math.ceil(loads / 10) : loads;
    for (let i = 0; i < n; i++) await parts[name]!();
    const { rows } = await db.query<{ calls: string; exec: number }>(
      "SELECT calls, mean_exec_time AS exec FROM pg_stat_statements WHERE query NOT LIKE '%pg_stat_statements%' AND calls >= $1",
      [n],
    );
    console.log(`  ${name.padEnd(30)} ${rows.map((row) => `${row.calls} calls, mean execution ${row.exec.toFixed(4)} ms`).join("; ")}`);
  }

  console.log("3. CPU per call, client + server");
  const pid = (await db.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0]!.pid;
  const backendCpuMs = async () => {
    const stat = await readFile(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime, 10 ms ticks
  };
  for (const name of names) {
    const n = heavy(name) ? Math.ceil(loads / 4) : loads * 5;
    const [client0, server0] = [process.cpuUsage(), await backendCpuMs()];
    for (let i = 0; i < n; i++) await parts[name]!();
    const [client1, server1] = [process.cpuUsage(client0), await backendCpuMs()];
    const client = (client1.user + client1.system) / 1000 / n;
    const server = (server1 - server0) / n;
    console.log(`  ${name.padEnd(30)} client ${client.toFixed(4)} + server ${server.toFixed(4)} = ${(client + server).toFixed(4)} ms (${n} calls)`);
  }

  console.log(`4. a timed call after another kind of call (${Math.ceil(loads / 2)} each)`);
  const one = parts["SELECT 1 (simple)"]!;
  const w = parts["aggregateStream with snapshot"]!;
  const wo = parts["aggregateStream without"]!;
  const sequences: Record<string, { before: (() => Promise<unknown>)[]; timed: () => Promise<unknown> }> = {
    "with, right after with": { before: [w], timed: w },
    "with, right after without": { before: [wo], timed: w },
    "with, after without + 1 SELECT 1": { before: [wo, one], timed: w },
    "with, after without + 2 SELECT 1": { before: [wo, one, one], timed: w },
    "with, after with + 2 SELECT 1": { before: [w, one, one], timed: w },
    "SELECT 1, right after SELECT 1": { before: [one], timed: one },
    "SELECT 1, right after without": { before: [wo], timed: one },
    "SELECT 1, after without + 2 SELECT 1": { before: [wo, one, one], timed: one },
  };
  const after: Record<string, number[]> = Object.fromEntries(Object.keys(sequences).map((name) => [name, []]));
  for (let i = 0; i < Math.ceil(loads / 2); i++) {
    for (const [name, sequence] of Object.entries(sequences)) {
      for (const step of sequence.before) await step();
      const started = performance.now();
      await sequence.timed();
      after[name]!.push(performance.now() - started);
    }
  }
  for (const name of Object.keys(sequences)) console.log(`  ${name.padEnd(38)} ${describe(after[name]!)}`);

  console.log("5. the bench's ruler, 21 of each kind: one by one after 0 or 2 settling round trips or 10 ms idle, or in blocks of 7; alternating");
  const rulers: Record<string, ColdLoadRuler> = {
    "one by one": { block: 1, settleRoundTrips: 0 },
    "one by one, 2 settling": { block: 1, settleRoundTrips: 2 },
    "blocks of 7": { block: 7, settleRoundTrips: 0 },
    "one by one, idle 10 ms": { block: 1, settleRoundTrips: 0, idleMs: 10 },
  };
  const measured: Record<string, { ratio: number[]; withMs: number[]; withoutMs: number[]; roundTripMs: number[] }> = {};
  for (let round = 0; round < Number(args.rounds); round++) {
    const names = Object.keys(rulers);
    for (const name of round % 2 ? [...names].reverse() : names) {
      const result = await coldLoads(db, stream, rulers[name]!);
      const m = (measured[name] ??= { ratio: [], withMs: [], withoutMs: [], roundTripMs: [] });
      m.ratio.push(result.withoutMs / result.withMs);
      m.withMs.push(result.withMs);
      m.withoutMs.push(result.withoutMs);
      m.roundTripMs.push(result.roundTripMs);
      console.log(
        `  round ${round + 1}, ${name}: without ${result.withoutMs.toFixed(2)} / with ${result.withMs.toFixed(3)} ms = ${(result.withoutMs / result.withMs).toFixed(1)}x; ` +
          `SELECT 1 ${result.roundTripMs.toFixed(3)} ms, without / SELECT 1 ${(result.withoutMs / result.roundTripMs).toFixed(1)}x`,
      );
    }
  }
  for (const [name, m] of Object.entries(measured)) {
    console.log(
      `  ${name.padEnd(24)} ratio median ${median(m.ratio).toFixed(1)}x (${Math.min(...m.ratio).toFixed(1)}-${Math.max(...m.ratio).toFixed(1)}), ` +
        `without ${median(m.withoutMs).toFixed(2)} ms, with ${median(m.withMs).toFixed(3)} ms, SELECT 1 ${median(m.roundTripMs).toFixed(3)} ms`,
    );
  }
  await db.end();
  console.log(`1-minute load average ${load.atStart.toFixed(2)} at start, up to ${load.peak.toFixed(2)}, ${currentLoad().toFixed(2)} at end`);
} finally {
  load.stop();
  await database.stop();
}
