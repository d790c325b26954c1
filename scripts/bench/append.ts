// The append section (`npm run bench`): our event store library against raw
// Postgres and Emmett, on a fresh embedded Postgres, same driver, same run.
// See docs/BENCHMARKS.md for what each contender is.
import { loadavg } from "node:os";
import type { SectionOutcome } from "./aims.ts";
import { execute, startBenchDatabase, type BenchDatabase } from "./database.ts";
import { oursHotStreamAny, oursHotStreamExact, oursOwnStreams } from "./ours.ts";
import { formatProfile, profiled } from "./profile.ts";
import { rawEventsTable, rawHundredRows, rawOneRow } from "./raw.ts";
import { appendAims, renderReport, type RatioAim, type Result, type RunFacts } from "./report.ts";
import { measure, type Contender, type Measurement, type Timing } from "./runner.ts";

const HOT_STREAM_WRITERS = 8;

/** What every library-level section (append, read models) is told by the entry script. */
export interface LibraryBenchContext {
  command: string;
  rounds: number;
  timing: Timing;
  /** Called with the fresh database once it runs, so a Ctrl-C can remove it. */
  started(database: BenchDatabase): void;
  /** Highest 1-minute load average seen so far; sections raise it. */
  load: { peak: number };
}

export interface AppendBenchOptions {
  writerCounts: number[];
  only?: string[];
  profile: boolean;
}

export async function runAppendBench(context: LibraryBenchContext, options: AppendBenchOptions): Promise<SectionOutcome> {
  const { rounds, timing } = context;
  const database = await startBenchDatabase({ statementStats: options.profile });
  context.started(database);
  try {
    const { url } = database;
    console.error(`Postgres ${database.machine.postgres} ready; nproc ${database.machine.nproc}, load ${database.machine.loadAtStart.toFixed(2)}`);
    const emmett = await loadEmmett(url);
    const perStream: Contender[] = [rawOneRow, rawHundredRows, rawEventsTable, oursOwnStreams, ...(emmett.module ? [emmett.module.emmettOwnStreams] : [])];
    const hot: Contender[] = [oursHotStreamAny, oursHotStreamExact, ...(emmett.module ? [emmett.module.emmettHotStreamExact] : [])];
    const selected = (contender: Contender) => !options.only || options.only.some((name) => contender.name.startsWith(name));

    const results = new Map<string, Result>();
    const trial = async (contender: Contender, writers: number, round: number) => {
      await execute(url, "CHECKPOINT"); // each trial starts without the previous one's dirty pages
      const load = loadavg()[0] ?? 0;
      context.load.peak = Math.max(context.load.peak, load);
      let measurement: Measurement;
      if (options.profile) {
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
    };
    for (let round = 0; round < rounds; round++) {
      for (const writers of options.writerCounts) {
        // Alternate the order each round so no contender always runs first.
        const order = round % 2 ? [...perStream].reverse() : perStream;
        for (const contender of order.filter(selected)) await trial(contender, writers, round);
      }
      for (const contender of hot.filter(selected)) await trial(contender, HOT_STREAM_WRITERS, round);
    }

    const ordered = [...perStream, ...hot].flatMap((contender) =>
      [...results.values()].filter((result) => result.contender === contender.name).sort((a, b) => a.writers - b.writers),
    );
    const ratios: RatioAim[] = [
      { label: "ours / emmett", numerator: oursOwnStreams.name, denominator: "emmett", writers: options.writerCounts, aim: 1.5 },
      { label: "ours / raw", numerator: oursOwnStreams.name, denominator: rawOneRow.name, writers: options.writerCounts, aim: 0.8 },
      { label: "ours hot (any) / emmett hot", numerator: oursHotStreamAny.name, denominator: "emmett hot (exact+retry)", writers: [HOT_STREAM_WRITERS] },
      { label: "ours hot (exact+retry) / emmett hot", numerator: oursHotStreamExact.name, denominator: "emmett hot (exact+retry)", writers: [HOT_STREAM_WRITERS] },
    ];
    const report = renderReport(runFacts(context, database), ordered, ratios);
    return { report: `${emmett.module ? "" : `Emmett skipped: ${emmett.skipReason}\n\n`}${report}`, aims: appendAims(ordered, ratios) };
  } finally {
    await database.stop();
  }
}

export function runFacts(context: LibraryBenchContext, database: BenchDatabase): RunFacts {
  const loadAtEnd = loadavg()[0] ?? 0;
  context.load.peak = Math.max(context.load.peak, loadAtEnd);
  return {
    command: context.command,
    date: new Date().toISOString().slice(0, 10),
    machine: database.machine,
    loadAtEnd,
    loadPeak: context.load.peak,
    timing: context.timing,
    rounds: context.rounds,
  };
}

// Emmett is a baseline, not a dependency of ours: if it cannot load or create
// its schema here, say why and run the rest.
async function loadEmmett(url: string) {
  try {
    const module = await import("./emmett.ts");
    await module.createEmmettSchema(url);
    return { module, skipReason: "" };
  } catch (error) {
    const skipReason = error instanceof Error ? error.message : String(error);
    console.error(`Emmett skipped: ${skipReason}`);
    return { module: undefined, skipReason };
  }
}
