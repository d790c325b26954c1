// What makes a snapshot load slower right after a heavy call: the read-models
// bench's 1k-event category stream (snapshot 5 versions before the end, a
// 100k-event log) on ONE warm connection of a fresh Postgres. A snapshot load
// is timed after each kind of preceding call, the sequences taking turns, and
// for each timed call it records what else happened in its window:
// - V8 garbage collections overlapping it (perf_hooks "gc" entries);
// - Node's user and system CPU (process.cpuUsage: a running thread's
//   schedstat CPU is only brought up to date at a tick or a switch);
// - the main thread's run-queue wait and the CPU of Node's other threads
//   (GC helpers, the JIT's compiler) from /proc/self/task/*/schedstat;
// - the backend's run-queue wait and CPU from /proc/<backend>/schedstat.
// Preceding calls: a snapshot load; a load without, alone, then two `SELECT 1`
// (the bench's ruler), then idle waits, then `gc()` forced; plain JS work of
// the same length (no garbage); JS work that leaves garbage; a busy backend (a
// server-only query of about that length).
//
//   npx tsx --expose-gc scripts/bench/cold-load-aftermath.ts --loads 200
import { readdirSync, readFileSync } from "node:fs";
import { PerformanceObserver } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { categoryWriteModel } from "../../src/commands/category-write-model.ts";
import { aggregateStream } from "../../src/event-store/index.ts";
import { startBenchDatabase } from "./database.ts";
import { median } from "./figures.ts";
import { LoadSampler, currentLoad } from "./load.ts";
import { folding } from "./read-models.ts";
import { backendSchedstat, openColdLoadFixture } from "./cold-load-fixture.ts";

const { values: args } = parseArgs({ options: { loads: { type: "string", default: "200" }, size: { type: "string", default: "1000" } } });
const loads = Number(args.loads);
const { decider } = categoryWriteModel;
const forceGc = (globalThis as { gc?: () => void }).gc;
if (!forceGc) throw new Error("run with --expose-gc");

/** [cpu ns, run-queue wait ns] of one task. */
const schedstat = (path: string): [number, number] => {
  const [cpu, wait] = readFileSync(path, "utf8").split(" ").map(Number);
  return [cpu!, wait!];
};
const mainThread = `/proc/self/task/${process.pid}/schedstat`;
const otherThreadsCpu = () => {
  let cpu = 0;
  for (const task of readdirSync("/proc/self/task")) if (Number(task) !== process.pid) cpu += schedstat(`/proc/self/task/${task}/schedstat`)[0];
  return cpu;
};

const gcs: { start: number; end: number }[] = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) gcs.push({ start: entry.startTime, end: entry.startTime + entry.duration });
}).observe({ entryTypes: ["gc"] });

const busyFor = (ms: number) => {
  const until = performance.now() + ms;
  let x = 0;
  while (performance.now() < until) x += Math.sqrt(x + 1);
  return x;
};
let kept: unknown[] = [];
const garbageFor = (ms: number) => {
  const until = performance.now() + ms;
  while (performance.now() < until) kept = Array.from({ length: 200 }, (_, i) => ({ type: "category.updated", data: { id: "x", name: `n ${i}` }, version: i }));
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const database = await startBenchDatabase({});
const load = new LoadSampler();
try {
  const { db, streams: [stream] } = await openColdLoadFixture(database.url, [Number(args.size)]);
  const backend = await backendSchedstat(db);
  const withSnapshot = () => aggregateStream(db, stream.id, { ...folding, snapshot: { stateVersion: decider.stateVersion } });
  const without = () => aggregateStream(db, stream.id, folding);
  for (let i = 0; i < 20; i++) await withSnapshot().then(without);

  const heavyMs: number[] = [];
  for (let i = 0; i < 21; i++) {
    const started = performance.now();
    await without();
    heavyMs.push(performance.now() - started);
  }
  const heavy = median(heavyMs);
  // A server-only query: a series summed on the server, one small row back.
  let serverRows = 20_000;
  for (let i = 0; i < 8; i++) {
    const started = performance.now();
    await db.query("SELECT sum(n) FROM generate_series(1, $1::integer) AS n", [serverRows]);
    serverRows = Math.max(1000, Math.round((serverRows * heavy) / Math.max(0.5, performance.now() - started)));
  }
  console.log(`a load without takes ${heavy.toFixed(2)} ms (median of 21); the busy backend sums ${serverRows} rows`);

  const idle = (ms: number, after: () => Promise<unknown>) => async () => (await after(), await sleep(ms));
  const before: Record<string, () => Promise<unknown> | unknown> = {
    "after a snapshot load": withSnapshot,
    "after a snapshot load + idle 10 ms": idle(10, withSnapshot),
    "after a load without": without,
    "after a load without + 2 SELECT 1": async () => (await without(), await db.query("SELECT 1"), await db.query("SELECT 1")),
    "after a load without + idle 2 ms": idle(2, without),
    "after a load without + idle 10 ms": idle(10, without),
    "after a load without + idle 30 ms": idle(30, without),
    "after a load without, then gc()": async () => (await without(), forceGc()),
    "after JS work, no garbage": () => busyFor(heavy),
    "after JS work leaving garbage": () => garbageFor(heavy),
    "after a busy backend": () => db.query("SELECT sum(n) FROM generate_series(1, $1::integer) AS n", [serverRows]),
  };
  type Sample = { ms: number; gc: boolean; user: number; system: number; mainWait: number; othersCpu: number; backendWait: number; backendCpu: number };
  const samples: Record<string, Sample[]> = Object.fromEntries(Object.keys(before).map((name) => [name, []]));
  const windows: { name: string; start: number; end: number; sample: Sample }[] = [];
  const names = Object.keys(before);
  for (let i = 0; i < loads; i++) {
    for (const name of i % 2 ? names : [...names].reverse()) {
      await before[name]!();
      const [main0, others0, backend0] = [schedstat(mainThread), otherThreadsCpu(), schedstat(backend)];
      const cpu0 = process.cpuUsage();
      const start = performance.now();
      await withSnapshot();
      const end = performance.now();
      const cpu = process.cpuUsage(cpu0);
      const [main1, others1, backend1] = [schedstat(mainThread), otherThreadsCpu(), schedstat(backend)];
      const sample = { ms: end - start, gc: false, user: cpu.user / 1000, system: cpu.system / 1000, mainWait: (main1[1] - main0[1]) / 1e6, othersCpu: (others1 - others0) / 1e6, backendWait: (backend1[1] - backend0[1]) / 1e6, backendCpu: (backend1[0] - backend0[0]) / 1e6 };
      samples[name]!.push(sample);
      windows.push({ name, start, end, sample });
    }
  }
  await sleep(100); // gc entries arrive asynchronously
  for (const window of windows) window.sample.gc = gcs.some((gc) => gc.start < window.end && gc.end > window.start);

  console.log(`timed: a snapshot load (${loads} per row, the rows taking turns); medians, ms`);
  console.log("| before the timed load | wall | with a GC in it | Node user CPU | Node system CPU | main thread run-queue wait | other Node threads' CPU | backend run-queue wait | backend CPU |");
  console.log("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
  for (const name of names) {
    const s = samples[name]!;
    const m = (pick: (sample: Sample) => number) => median(s.map(pick)).toFixed(3);
    console.log(`| ${name} | ${m((x) => x.ms)} | ${Math.round((100 * s.filter((x) => x.gc).length) / s.length)}% | ${m((x) => x.user)} | ${m((x) => x.system)} | ${m((x) => x.mainWait)} | ${m((x) => x.othersCpu)} | ${m((x) => x.backendWait)} | ${m((x) => x.backendCpu)} |`);
  }
  await db.end();
  console.log(`1-minute load average ${load.atStart.toFixed(2)} at start, up to ${load.peak.toFixed(2)}, ${currentLoad().toFixed(2)} at end`);
} finally {
  load.stop();
  await database.stop();
}
