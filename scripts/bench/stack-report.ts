// The stack section's table: one line per request and concurrency, summarized
// over rounds, each ratio to the floor taken inside its round; and the checks
// of issue 12's read and write aims at 8 clients for the summary.
import { cpus, loadavg } from "node:os";
import type { AimCheck } from "./aims.ts";
import { median, ms, rate, ratio, spread } from "./figures.ts";

export interface StackTrial {
  row: string;
  clients: number;
  round: number;
  opsPerSecond: number;
  p50: number;
  p99: number;
  errors: number;
  sessionsPerRequest: number;
  transactionsPerRequest: number;
  /** undefined when pg_stat_statements is not loaded on the measured server. */
  statementsPerRequest: number | undefined;
}

export interface StackFacts {
  command: string;
  rounds: number;
  durationMs: number;
  warmupMs: number;
  countsStatements: boolean;
}

const FLOOR = "floor";
/** Issue 12: reads and writes at 0.7x the floor or better at 8 clients, reads' p99 under 2x the floor's. */
const AIM_CLIENTS = 8;
const AIM_RATIO = 0.7;
const AIM_P99_RATIO = 2;

/** Requests per second: a tenth where a loaded machine brings a row under 10. */
function opsPerSecond(value: number): string {
  return value < 10 ? value.toFixed(1) : rate(value);
}

interface Line {
  row: string;
  clients: number;
  trials: StackTrial[];
  /** Per round: ops/s over the floor's, and p99 over the floor's p99, in the same round. */
  ratios: number[];
  p99Ratios: number[];
}

export function renderStackReport(trials: StackTrial[], facts: StackFacts): string {
  const counted = (values: (number | undefined)[], digits: number) =>
    values.every((v) => v !== undefined) ? median(values as number[]).toFixed(digits) : "n/a";
  const lines = [
    `Command: \`${facts.command}\` on ${new Date().toISOString().slice(0, 10)}: ${cpus().length} cores, ${facts.rounds} round(s), ` +
      `${(facts.durationMs / 1000).toFixed(0)} s per row after ${(facts.warmupMs / 1000).toFixed(0)} s of warm-up, load at the end ${(loadavg()[0] ?? 0).toFixed(2)}.`,
    "",
    "Median over rounds (min-max in brackets); `x floor` and `p99 / floor p99` are taken inside each round against the floor at the same concurrency." +
      (facts.countsStatements ? "" : " Statements per request: n/a (pg_stat_statements not loaded on the measured server)."),
    "",
    "| clients | request | ops/s | p50 ms | p99 ms | x floor | p99 / floor p99 | errors | PG sessions / req | PG transactions / req | PG statements / req |",
    "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ...linesOf(trials).map(({ row, clients, trials: rounds, ratios, p99Ratios }) =>
      `| ${clients} | \`${row}\` | ${spread(rounds.map((t) => t.opsPerSecond), opsPerSecond)} | ${ms(median(rounds.map((t) => t.p50)))} | ` +
        `${ms(median(rounds.map((t) => t.p99)))} | ${spread(ratios, ratio)} | ${spread(p99Ratios, ratio)} | ${rounds.reduce((sum, t) => sum + t.errors, 0)} | ` +
        `${median(rounds.map((t) => t.sessionsPerRequest)).toFixed(2)} | ${median(rounds.map((t) => t.transactionsPerRequest)).toFixed(1)} | ` +
        `${counted(rounds.map((t) => t.statementsPerRequest), 1)} |`,
    ),
  ];
  return `${lines.join("\n")}\n`;
}

/** Reads: throughput and p99 against the floor; writes: throughput against the floor; all at 8 clients. */
export function stackAims(trials: StackTrial[]): AimCheck[] {
  const at = linesOf(trials).filter((line) => line.clients === AIM_CLIENTS);
  const reads = at.filter((line) => line.row.startsWith("read:"));
  const writes = at.filter((line) => line.row === "write: own category each" || line.row === "write: one hot category");
  const check = (measure: string, values: number[], met: (median: number) => boolean, aim: string): AimCheck => ({
    measure,
    value: values.length ? spread(values, ratio) : "n/a",
    aim,
    met: values.length ? met(median(values)) : undefined,
  });
  return [
    ...reads.flatMap((line) => [
      check(`\`${line.row}\`, ${AIM_CLIENTS} clients, ops/s x floor`, line.ratios, (m) => m >= AIM_RATIO, `>= ${AIM_RATIO}`),
      check(`\`${line.row}\`, ${AIM_CLIENTS} clients, p99 / floor p99`, line.p99Ratios, (m) => m < AIM_P99_RATIO, `< ${AIM_P99_RATIO}`),
    ]),
    ...writes.map((line) => check(`\`${line.row}\`, ${AIM_CLIENTS} clients, ops/s x floor`, line.ratios, (m) => m >= AIM_RATIO, `>= ${AIM_RATIO}`)),
  ];
}

/** The trials grouped by concurrency and request, in the order they ran. */
function linesOf(trials: StackTrial[]): Line[] {
  const lines = new Map<string, Line>();
  for (const trial of trials) {
    const key = `${trial.clients}/${trial.row}`;
    const line = lines.get(key) ?? { row: trial.row, clients: trial.clients, trials: [], ratios: [], p99Ratios: [] };
    line.trials.push(trial);
    const floor = trials.find((t) => t.round === trial.round && t.clients === trial.clients && t.row.startsWith(FLOOR));
    if (floor) {
      line.ratios.push(trial.opsPerSecond / floor.opsPerSecond);
      line.p99Ratios.push(trial.p99 / floor.p99);
    }
    lines.set(key, line);
  }
  return [...lines.values()].sort((a, b) => a.clients - b.clients);
}
