// Turns the measurements of one run into the markdown that goes to stdout and,
// with --write, into docs/BENCHMARKS.md between the result markers.
import { readFile, writeFile } from "node:fs/promises";
import { checkAtLeast, checkBelow, type AimCheck } from "./aims.ts";
import type { MachineFacts } from "./database.ts";
import { median, ms, rate, spread } from "./figures.ts";
import type { ReadModelResults } from "./read-models.ts";
import type { Measurement, Timing } from "./runner.ts";

export interface Result {
  contender: string;
  writers: number;
  /** One measurement per round. */
  rounds: Measurement[];
}

export interface RunFacts {
  command: string;
  date: string;
  machine: MachineFacts;
  loadAtEnd: number;
  /** Highest 1-minute load average seen at the start of a trial. */
  loadPeak: number;
  timing: Timing;
  rounds: number;
}

export interface RatioAim {
  label: string;
  numerator: string;
  denominator: string;
  writers: number[];
  aim?: number;
}

export function renderReport(facts: RunFacts, results: Result[], ratios: RatioAim[]): string {
  const { machine, timing } = facts;
  const lines = [
    `Command: \`${facts.command}\` on ${facts.date}: ${facts.rounds} round(s), each trial ${timing.warmupMs / 1000} s warm-up + ${timing.durationMs / 1000} s measured.`,
    `Machine: nproc ${machine.nproc} (${machine.cpu}), Node ${machine.node}, PostgreSQL ${machine.postgres} (embedded, fresh, fsync on), ` +
      `1-minute load average ${machine.loadAtStart.toFixed(2)} at start, up to ${facts.loadPeak.toFixed(2)} during the run, ${facts.loadAtEnd.toFixed(2)} at end.`,
    "",
    "| contender | writers | events/s (median) | events/s (min-max over rounds) | p50 ms | p99 ms | conflicts/event | client CPU µs/event |",
    "|---|---:|---:|---:|---:|---:|---:|---:|",
    ...results.map((result) => {
      const rates = result.rounds.map((m) => m.eventsPerSecond);
      return `| ${result.contender} | ${result.writers} | ${rate(median(rates))} | ${rate(Math.min(...rates))}-${rate(Math.max(...rates))} | ` +
        `${ms(median(result.rounds.map((m) => m.p50)))} | ${ms(median(result.rounds.map((m) => m.p99)))} | ` +
        `${median(result.rounds.map((m) => m.conflictsPerEvent)).toFixed(2)} | ${median(result.rounds.map((m) => m.clientCpuPerEvent)).toFixed(0)} |`;
    }),
    "",
    "Ratios of events/s, each computed from two trials of the same round, then median and min-max over rounds:",
    "",
    "| ratio | writers | median | min-max | aim | met |",
    "|---|---:|---:|---:|---:|---|",
    ...pairedRatioRows(results, ratios).map(({ ratio, writers, values }) => {
      if (values.length === 0) return `| ${ratio.label} | ${writers} | n/a | n/a | ${aim(ratio.aim)} | n/a |`;
      const mid = median(values);
      const met = ratio.aim === undefined ? "-" : mid >= ratio.aim ? "yes" : "no";
      return `| ${ratio.label} | ${writers} | ${mid.toFixed(2)} | ${Math.min(...values).toFixed(2)}-${Math.max(...values).toFixed(2)} | ${aim(ratio.aim)} | ${met} |`;
    }),
  ];
  return `${lines.join("\n")}\n`;
}

/** The append ratios that have an aim, for the summary of issue 12's aims. */
export function appendAims(results: Result[], ratios: RatioAim[]): AimCheck[] {
  return pairedRatioRows(results, ratios)
    .filter(({ ratio }) => ratio.aim !== undefined)
    .map(({ ratio, writers, values }) => checkAtLeast(`${ratio.label}, ${writers} writer${writers === 1 ? "" : "s"}, events/s`, values, ratio.aim!, values.length ? spread(values, (v) => v.toFixed(2)) : "n/a"));
}

/** Every ratio row: its per-round values (empty when a contender did not run). */
function pairedRatioRows(results: Result[], ratios: RatioAim[]) {
  return ratios.flatMap((ratio) => ratio.writers.map((writers) => ({ ratio, writers, values: pairedRatios(results, ratio.numerator, ratio.denominator, writers) })));
}

/** The marked section of the document a report replaces: "summary" (the aims of `--all`), "append" (the event store), "stack", "delivery", "read-models" or "hot-aggregate". */
export type ReportSection = "summary" | "append" | "stack" | "delivery" | "read-models" | "hot-aggregate";

/** Projection lag, rebuild and cold load (scripts/bench/read-models.ts): medians over rounds, ratios per round. */
export function renderReadModelReport(facts: RunFacts, results: ReadModelResults): string {
  const { machine, timing } = facts;
  const met = (ok: boolean) => (ok ? "yes" : "no");
  const rebuildRatios = perRound(results.rebuild.eventsPerSecond, results.rebuild.raw100);
  return [
    `Command: \`${facts.command}\` on ${facts.date}: ${facts.rounds} round(s); lag trials ${timing.warmupMs / 1000} s warm-up + ${timing.durationMs / 1000} s measured.`,
    `Machine: nproc ${machine.nproc} (${machine.cpu}), Node ${machine.node}, PostgreSQL ${machine.postgres} (embedded, fresh, fsync on), ` +
      `1-minute load average ${machine.loadAtStart.toFixed(2)} at start, up to ${facts.loadPeak.toFixed(2)} during the run, ${facts.loadAtEnd.toFixed(2)} at end.`,
    "",
    "Median over rounds (min-max in brackets); each ratio is computed inside a round.",
    "",
    "| measure | value | ratio | aim | met |",
    "|---|---:|---:|---:|---|",
    ...results.lag.map((row) => {
      const p99 = median(row.p99);
      return (
        `| projection lag at ${row.rate} appends/s (achieved ${rate(median(row.achieved))}/s; consumer round trips per append ${median(row.roundTrips).toFixed(1)}): ` +
        `p50 / p99 ms | ${ms(median(row.p50))} / ${spread(row.p99, ms)} | - | p99 < 100 ms | ${met(p99 < 100)} |`
      );
    }),
    `| rebuild of ${rate(results.rebuild.events)} events, events/s (raw100 at 1 writer: ${spread(results.rebuild.raw100, rate)} rows/s) | ${spread(results.rebuild.eventsPerSecond, rate)} | ${spread(rebuildRatios, (v) => v.toFixed(2))} | >= 0.3 | ${met(median(rebuildRatios) >= 0.3)} |`,
    ...results.coldLoad.flatMap((row) => {
      const ratios = perRound(row.withoutMs, row.withMs);
      // The floor: a load with a snapshot cannot take less than one round trip, so without / round trip is the most any snapshot could give here.
      const ceilings = perRound(row.withoutMs, row.roundTripMs);
      return [
        `| cold load of ${rate(row.events)} events: without / with a snapshot, ms (median of ${row.loads} loads each, taking turns, warm connection) | ${spread(row.withoutMs, ms)} / ${spread(row.withMs, ms)} | ${spread(ratios, (v) => v.toFixed(1))} | >= 20x | ${met(median(ratios) >= 20)} |`,
        `| ... the floor in the same turns: a \`SELECT 1\` round trip, ms; ratio: without / round trip, the most a snapshot could give | ${spread(row.roundTripMs, (v) => v.toFixed(3))} | ${spread(ceilings, (v) => v.toFixed(1))} | - | - |`,
      ];
    }),
    "",
  ].join("\n");
}

/** The read-model measures that have an aim, for the summary of issue 12's aims. */
export function readModelAims(results: ReadModelResults): AimCheck[] {
  const rebuildRatios = perRound(results.rebuild.eventsPerSecond, results.rebuild.raw100);
  return [
    ...results.lag.map((row) => checkBelow(`projection lag p99 at ${row.rate} appends/s, ms`, row.p99, 100, spread(row.p99, ms), " ms")),
    checkAtLeast(`rebuild of ${rate(results.rebuild.events)} events, events/s x raw100`, rebuildRatios, 0.3, spread(rebuildRatios, (v) => v.toFixed(2))),
    ...results.coldLoad.map((row) => {
      const ratios = perRound(row.withoutMs, row.withMs);
      return checkAtLeast(`cold load of ${rate(row.events)} events, without / with a snapshot`, ratios, 20, spread(ratios, (v) => `${v.toFixed(1)}x`), "x");
    }),
  ];
}

function perRound(top: number[], bottom: number[]): number[] {
  return top.map((value, i) => value / (bottom[i] ?? Number.NaN));
}

/** Replaces the results between the markers, leaving the prose around them alone. */
export async function writeReport(path: string, report: string, section: ReportSection = "append"): Promise<void> {
  const BEGIN = `<!-- bench:${section}:begin -->`;
  const END = `<!-- bench:${section}:end -->`;
  const document = await readFile(path, "utf8");
  const begin = document.indexOf(BEGIN);
  const end = document.indexOf(END);
  if (begin < 0 || end < begin) throw new Error(`${path} has no ${BEGIN} ... ${END} section to replace`);
  await writeFile(path, `${document.slice(0, begin + BEGIN.length)}\n${report}${document.slice(end)}`);
}

function pairedRatios(results: Result[], numerator: string, denominator: string, writers: number): number[] {
  const top = results.find((r) => r.contender === numerator && r.writers === writers);
  const bottom = results.find((r) => r.contender === denominator && r.writers === writers);
  if (!top || !bottom) return [];
  return top.rounds.flatMap((m, round) => {
    const base = bottom.rounds[round];
    return base ? [m.eventsPerSecond / base.eventsPerSecond] : [];
  });
}

function aim(value: number | undefined): string {
  return value === undefined ? "-" : `>= ${value}`;
}
