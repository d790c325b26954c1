// `npm run bench`: event append throughput of our event store library against
// baselines measured in the same run, on the same fresh Postgres, over the
// same driver (pg). See docs/BENCHMARKS.md for what each contender is.
//
//   npm run bench                       full run, prints the results
//   npm run bench -- --write            ... and puts them into docs/BENCHMARKS.md
//   npm run bench -- --rounds 1 --duration 2 --only ours,raw --writers 8
//   npm run bench -- --profile          wait events + top statements per trial
//   npm run bench -- --stack            the whole stack over GraphQL/HTTP (scripts/bench/stack.ts),
//                                       with --clients 1,8,32 --duration 5 --only read,floor --write
//   npm run bench -- --delivery         subscription delivery (scripts/bench/delivery.ts),
//                                       with --sockets 1,100,1000 --shards 2,8 --rate 2,5 --duration 10 --write
//   npm run bench -- --read-models      projection lag, rebuild, cold load (scripts/bench/read-models.ts),
//                                       with --lag-rates 100,400 --rebuild-events 100000 --rounds 3 --write
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import { takeOverShutdownSignals } from "../lib/shutdown-signals.ts";
import { execute, startBenchDatabase, type BenchDatabase } from "./database.ts";
import { oursHotStreamAny, oursHotStreamExact, oursOwnStreams } from "./ours.ts";
import { formatProfile, profiled } from "./profile.ts";
import { rawEventsTable, rawHundredRows, rawOneRow } from "./raw.ts";
import { renderReadModelReport, renderReport, writeReport, type Result, type RunFacts } from "./report.ts";
import { measure, type Contender, type Measurement, type Timing } from "./runner.ts";

const REPORT_PATH = "docs/BENCHMARKS.md";
const HOT_STREAM_WRITERS = 8;

const { values: args } = parseArgs({
  options: {
    rounds: { type: "string", default: "3" },
    warmup: { type: "string", default: "1" },
    duration: { type: "string", default: "3" },
    writers: { type: "string", default: "1,8,32" },
    only: { type: "string" },
    profile: { type: "boolean", default: false },
    write: { type: "boolean", default: false },
    stack: { type: "boolean", default: false },
    clients: { type: "string", default: "1,8,32" },
    delivery: { type: "boolean", default: false },
    sockets: { type: "string", default: "1,100,1000" },
    shards: { type: "string", default: "2" },
    rate: { type: "string", default: "2,5" },
    "read-models": { type: "boolean", default: false },
    "lag-rates": { type: "string", default: "100,400" },
    "rebuild-events": { type: "string", default: "100000" },
  },
});

if (args.delivery) {
  const { runDeliveryBench } = await import("./delivery.ts");
  const report = await runDeliveryBench({
    sockets: args.sockets.split(",").map(Number),
    shards: args.shards.split(",").map(Number),
    rates: args.rate.split(",").map(Number),
    // The append bench's defaults are too short for delivery: 10 s unless --duration says otherwise.
    durationMs: (process.argv.includes("--duration") ? Number(args.duration) : 10) * 1000,
    warmupMs: Number(args.warmup) * 1000,
  });
  console.log(`\n${report}`);
  if (args.write) await writeReport(REPORT_PATH, report, "delivery");
  process.exit(0);
}

if (args.stack) {
  const { runStackBench } = await import("./stack.ts");
  const report = await runStackBench({
    clients: args.clients.split(",").map(Number),
    durationMs: Number(args.duration) * 1000,
    warmupMs: Number(args.warmup) * 1000,
    only: args.only?.split(","),
  });
  console.log(`\n${report}`);
  if (args.write) await writeReport(REPORT_PATH, report, "stack");
  process.exit(0);
}
const rounds = Number(args.rounds);
const timing: Timing = { warmupMs: Number(args.warmup) * 1000, durationMs: Number(args.duration) * 1000 };
const writerCounts = args.writers.split(",").map(Number);
const only = args.only?.split(",");

let database: BenchDatabase | undefined;
let emmettSkipReason = "";
let loadPeak = 0;
let interrupted = false;
takeOverShutdownSignals(() => {
  interrupted = true;
  console.error("\nstopping: removing the benchmark's Postgres");
  void (database?.stop() ?? Promise.resolve()).finally(() => process.exit(130));
});

try {
  database = await startBenchDatabase({ statementStats: args.profile });
  const { url } = database;
  console.error(`Postgres ${database.machine.postgres} ready; nproc ${database.machine.nproc}, load ${database.machine.loadAtStart.toFixed(2)}`);

  if (args["read-models"]) {
    const loadSampler = setInterval(() => (loadPeak = Math.max(loadPeak, loadavg()[0] ?? 0)), 1000);
    const { runReadModelBench } = await import("./read-models.ts");
    const results = await runReadModelBench({
      url,
      rounds,
      timing,
      lagRates: args["lag-rates"].split(",").map(Number),
      rebuildEvents: Number(args["rebuild-events"]),
      coldLoadSizes: [1_000, 10_000],
    });
    clearInterval(loadSampler);
    const report = renderReadModelReport(runFacts(database), results);
    console.log(`\n${report}`);
    if (args.write) await writeReport(REPORT_PATH, report, "read-models");
    process.exit(0);
  }

  const emmett = await loadEmmett(url);
  const perStream: Contender[] = [rawOneRow, rawHundredRows, rawEventsTable, oursOwnStreams, ...(emmett ? [emmett.emmettOwnStreams] : [])];
  const hot: Contender[] = [oursHotStreamAny, oursHotStreamExact, ...(emmett ? [emmett.emmettHotStreamExact] : [])];
  const selected = (contender: Contender) => !only || only.some((name) => contender.name.startsWith(name));

  const results = new Map<string, Result>();
  for (let round = 0; round < rounds; round++) {
    for (const writers of writerCounts) {
      // Alternate the order each round so no contender always runs first.
      const order = round % 2 ? [...perStream].reverse() : perStream;
      for (const contender of order.filter(selected)) await trial(contender, writers, round);
    }
    for (const contender of hot.filter(selected)) await trial(contender, HOT_STREAM_WRITERS, round);
  }

  const ordered = [...perStream, ...hot].flatMap((contender) =>
    [...results.values()].filter((result) => result.contender === contender.name).sort((a, b) => a.writers - b.writers),
  );
  const report = renderReport(
    runFacts(database),
    ordered,
    [
      { label: "ours / emmett", numerator: oursOwnStreams.name, denominator: "emmett", writers: writerCounts, aim: 1.5 },
      { label: "ours / raw", numerator: oursOwnStreams.name, denominator: rawOneRow.name, writers: writerCounts, aim: 0.8 },
      { label: "ours hot (any) / emmett hot", numerator: oursHotStreamAny.name, denominator: "emmett hot (exact+retry)", writers: [HOT_STREAM_WRITERS] },
      { label: "ours hot (exact+retry) / emmett hot", numerator: oursHotStreamExact.name, denominator: "emmett hot (exact+retry)", writers: [HOT_STREAM_WRITERS] },
    ],
  );
  console.log(`\n${emmett ? "" : `Emmett skipped: ${emmettSkipReason}\n\n`}${report}`);
  if (args.write) {
    await writeReport(REPORT_PATH, report);
    console.error(`results written to ${REPORT_PATH}`);
  }

  function runFacts(database: BenchDatabase): RunFacts {
    return {
      command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(" ")}` : ""}`,
      date: new Date().toISOString().slice(0, 10),
      machine: database.machine,
      loadAtEnd: loadavg()[0] ?? 0,
      loadPeak,
      timing,
      rounds,
    };
  }

  async function trial(contender: Contender, writers: number, round: number): Promise<void> {
    await execute(url, "CHECKPOINT"); // each trial starts without the previous one's dirty pages
    const load = loadavg()[0] ?? 0;
    loadPeak = Math.max(loadPeak, load);
    let measurement: Measurement;
    if (args.profile) {
      const { result, profile } = await profiled(url, () => measure(contender, url, writers, timing));
      measurement = result;
      console.log(formatProfile(`${contender.name}, ${writers} writers:`, profile));
    } else {
      measurement = await measure(contender, url, writers, timing);
    }
    const key = `${contender.name}/${writers}`;
    const result = results.get(key) ?? { contender: contender.name, writers, rounds: [] };
    result.rounds.push(measurement);
    results.set(key, result);
    console.error(
      `round ${round + 1}/${rounds}  ${contender.name.padEnd(24)} ${String(writers).padStart(2)} writers  ` +
        `${Math.round(measurement.eventsPerSecond).toString().padStart(7)} events/s  p50 ${measurement.p50.toFixed(2)} ms  ` +
        `p99 ${measurement.p99.toFixed(2)} ms  conflicts/event ${measurement.conflictsPerEvent.toFixed(2)}  (load ${load.toFixed(2)})`,
    );
  }
} catch (error) {
  // After Ctrl-C the trial in flight fails as its connections close; that is not news.
  if (!interrupted) console.error(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = interrupted ? 130 : 1;
} finally {
  await database?.stop();
}

// Emmett is a baseline, not a dependency of ours: if it cannot load or create
// its schema here, say why and run the rest.
async function loadEmmett(url: string) {
  try {
    const emmett = await import("./emmett.ts");
    await emmett.createEmmettSchema(url);
    return emmett;
  } catch (error) {
    emmettSkipReason = error instanceof Error ? error.message : String(error);
    console.error(`Emmett skipped: ${emmettSkipReason}`);
    return undefined;
  }
}
