// `npm run bench`: the benchmarks of docs/BENCHMARKS.md. Each section measures
// against baselines taken in the same run (see that document for the method).
//
//   npm run bench                       the append section: our event store vs raw Postgres vs Emmett
//   npm run bench -- --write            ... and puts the results into docs/BENCHMARKS.md
//   npm run bench -- --rounds 1 --duration 2 --only ours,raw --writers 8
//   npm run bench -- --profile          wait events + top statements per trial
//   npm run bench -- --stack            the whole stack over GraphQL/HTTP (scripts/bench/stack.ts),
//                                       with --clients 1,8,32 --rounds 3 --duration 3 --only read,floor --write
//   npm run bench -- --delivery         subscription delivery (scripts/bench/delivery.ts),
//                                       with --sockets 1,100,1000 --shards 2,8 --rate 2,5 --duration 10 --write
//   npm run bench -- --read-models      projection lag, rebuild, cold load (scripts/bench/read-models.ts),
//                                       with --lag-rates 100,400 --rebuild-events 100000 --rounds 3 --write
//   npm run bench -- --hot-aggregate    group commit: one AggregateDO under many clients vs Emmett's hot stream
//                                       (scripts/bench/hot-aggregate.ts), with --clients 8,64 --rounds 3 --write
//   npm run bench -- --all --write      append, stack and read models one after the other in one process,
//                                       and the table of issue 12's aims on top of BENCHMARKS.md (add --delivery for that too)
import { LoadSampler, currentLoad } from "./load.ts";
import { parseArgs } from "node:util";
import { takeOverShutdownSignals } from "../lib/shutdown-signals.ts";
import { renderSummary, type SectionOutcome } from "./aims.ts";
import { runAppendBench, runFacts, type LibraryBenchContext } from "./append.ts";
import { startBenchDatabase } from "./database.ts";
import { readModelAims, renderReadModelReport, writeReport, type ReportSection } from "./report.ts";

const REPORT_PATH = "docs/BENCHMARKS.md";

const { values: args } = parseArgs({
  options: {
    rounds: { type: "string", default: "3" },
    warmup: { type: "string", default: "1" },
    duration: { type: "string", default: "3" },
    writers: { type: "string", default: "1,8,32" },
    only: { type: "string" },
    profile: { type: "boolean", default: false },
    write: { type: "boolean", default: false },
    all: { type: "boolean", default: false },
    stack: { type: "boolean", default: false },
    clients: { type: "string", default: "1,8,32" },
    delivery: { type: "boolean", default: false },
    sockets: { type: "string", default: "1,100,1000" },
    shards: { type: "string", default: "2" },
    rate: { type: "string", default: "2,5" },
    "read-models": { type: "boolean", default: false },
    "hot-aggregate": { type: "boolean", default: false },
    "lag-rates": { type: "string", default: "100,400" },
    "rebuild-events": { type: "string", default: "100000" },
  },
});

const command = `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(" ")}` : ""}`;
const rounds = Number(args.rounds);
const timing = { warmupMs: Number(args.warmup) * 1000, durationMs: Number(args.duration) * 1000 };
const list = (value: string) => value.split(",").map(Number);
if (args.all && args.only) throw new Error("--only names contenders of one section; run a section alone to use it");

/** What a Ctrl-C must stop: the section's Postgres or stack. */
let stopRunning: (() => Promise<void>) | undefined;
let interrupted = false;
takeOverShutdownSignals(() => {
  interrupted = true;
  console.error("\nstopping: removing the benchmark's Postgres / stack");
  void (stopRunning?.() ?? Promise.resolve()).finally(() => process.exit(130));
});

const load = new LoadSampler();

const sections: { name: ReportSection; title: string; selected: boolean; run(): Promise<SectionOutcome> }[] = [
  { name: "append", title: "library append", selected: args.all || !(args.stack || args.delivery || args["read-models"] || args["hot-aggregate"]), run: appendSection },
  { name: "stack", title: "stack over GraphQL", selected: args.all || args.stack, run: stackSection },
  { name: "read-models", title: "read models", selected: args.all || args["read-models"], run: readModelSection },
  { name: "delivery", title: "delivery", selected: args.delivery, run: deliverySection },
  { name: "hot-aggregate", title: "hot aggregate", selected: args["hot-aggregate"], run: hotAggregateSection },
];

const startedAt = new Date();
const startedMs = performance.now();
const outcomes: { title: string; aims: SectionOutcome["aims"]; minutes: number }[] = [];
const failures: string[] = [];
try {
  for (const section of sections.filter((s) => s.selected)) {
    const began = performance.now();
    console.error(`\n== ${section.title} (${section.name}) ==`);
    try {
      const outcome = await section.run();
      console.log(`\n${outcome.report}`);
      const minutes = (performance.now() - began) / 60_000;
      outcomes.push({ title: section.title, aims: outcome.aims, minutes });
      if (args.write) await writeReport(REPORT_PATH, outcome.report, section.name);
      console.error(`${section.title}: ${minutes.toFixed(1)} min`);
    } catch (error) {
      if (interrupted) throw error;
      // One failed section does not lose the others' figures; the summary says it failed.
      const reason = error instanceof Error ? (error.stack ?? error.message) : String(error);
      console.error(`${section.name} failed: ${reason}`);
      failures.push(`${section.title}: ${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = 1;
    } finally {
      stopRunning = undefined;
    }
  }
  const wallMs = performance.now() - startedMs;
  if (args.all) {
    const summary = renderSummary({ command, startedAt, wallMs, loadAtStart: load.atStart, loadPeak: load.peak, stealShare: load.stealShare(), failures }, outcomes);
    console.log(`\n${summary}`);
    if (args.write) await writeReport(REPORT_PATH, summary, "summary");
  }
  if (args.write) console.error(`results written to ${REPORT_PATH}`);
  console.error(`total wall time ${(wallMs / 60_000).toFixed(1)} min`);
} catch (error) {
  // After Ctrl-C the trial in flight fails as its connections close; that is not news.
  if (!interrupted) console.error(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = interrupted ? 130 : 1;
} finally {
  load.stop();
  await stopRunning?.();
}
// Keep-alive HTTP sockets to a stopped stack would hold the process open for a while.
process.exit(process.exitCode ?? 0);

function libraryContext(): LibraryBenchContext {
  return { command, rounds, timing, load: { peak: currentLoad() }, started: (database) => (stopRunning = database.stop) };
}

function appendSection(): Promise<SectionOutcome> {
  return runAppendBench(libraryContext(), { writerCounts: list(args.writers), only: args.only?.split(","), profile: args.profile });
}

async function stackSection(): Promise<SectionOutcome> {
  const { runStackBench } = await import("./stack.ts");
  return runStackBench({
    clients: list(args.clients),
    rounds,
    ...timing,
    only: args.only?.split(","),
    command,
    started: (close) => (stopRunning = close),
  });
}

async function readModelSection(): Promise<SectionOutcome> {
  const { runReadModelBench } = await import("./read-models.ts");
  const context = libraryContext();
  const database = await startBenchDatabase();
  context.started(database);
  try {
    const load = new LoadSampler();
    const results = await runReadModelBench({
      url: database.url,
      rounds,
      timing,
      lagRates: list(args["lag-rates"]),
      rebuildEvents: Number(args["rebuild-events"]),
      coldLoadSizes: [1_000, 10_000],
    }).finally(() => (context.load.peak = Math.max(context.load.peak, load.stop())));
    return { report: renderReadModelReport(runFacts(context, database), results), aims: readModelAims(results) };
  } finally {
    await database.stop();
  }
}

async function deliverySection(): Promise<SectionOutcome> {
  const { runDeliveryBench } = await import("./delivery.ts");
  const report = await runDeliveryBench({
    sockets: list(args.sockets),
    shards: list(args.shards),
    rates: list(args.rate),
    // The append bench's defaults are too short for delivery: 10 s unless --duration says otherwise.
    durationMs: (process.argv.includes("--duration") ? Number(args.duration) : 10) * 1000,
    warmupMs: timing.warmupMs,
    started: (close) => (stopRunning = close),
  });
  return { report, aims: [] };
}

async function hotAggregateSection(): Promise<SectionOutcome> {
  const { runHotAggregateBench } = await import("./hot-aggregate.ts");
  // The stack's client counts are not this section's: 8 and 64 unless --clients says otherwise.
  const clients = process.argv.includes("--clients") ? list(args.clients) : [8, 64];
  return runHotAggregateBench(libraryContext(), { clients, emmettWriters: 8 });
}
