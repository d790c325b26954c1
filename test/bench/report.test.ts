// The bench's arithmetic: ratios are taken inside a round against that
// round's baseline, then summarized; the summary's met/not met follows the aims.
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { renderSummary } from "../../scripts/bench/aims.ts";
import { appendAims, writeReport, type Result } from "../../scripts/bench/report.ts";
import type { Measurement } from "../../scripts/bench/runner.ts";
import { renderStackReport, stackAims, type StackTrial } from "../../scripts/bench/stack-report.ts";

const trial = (row: string, round: number, opsPerSecond: number, p99: number): StackTrial => ({
  row,
  clients: 8,
  round,
  opsPerSecond,
  p50: p99 / 2,
  p99,
  errors: 0,
  sessionsPerRequest: 0,
  transactionsPerRequest: 1,
  statementsPerRequest: 2,
});

describe("stack aims", () => {
  // The floor swings between rounds (a noisy machine); each round's read keeps 0.8x of its own floor.
  const trials = [
    trial("floor: { __typename }", 0, 100, 50),
    trial("read: categories(limit: 10)", 0, 80, 90),
    trial("write: own category each", 0, 60, 100),
    trial("floor: { __typename }", 1, 200, 20),
    trial("read: categories(limit: 10)", 1, 160, 50),
    trial("write: own category each", 1, 120, 30),
  ];

  it("takes each ratio against the floor of the same round", () => {
    const [readRatio, readP99, write] = stackAims(trials);
    expect(readRatio).toMatchObject({ value: "0.80 (0.80-0.80)", aim: ">= 0.7", met: true });
    // p99 ratios 1.8 and 2.5: median 2.15, not under 2.
    expect(readP99).toMatchObject({ value: "2.15 (1.80-2.50)", aim: "< 2", met: false });
    expect(write).toMatchObject({ value: "0.60 (0.60-0.60)", met: false });
  });

  it("prints one line per request with medians over rounds and statements per request", () => {
    const report = renderStackReport(trials, { command: "npm run bench -- --stack", rounds: 2, durationMs: 3000, warmupMs: 1000, countsStatements: true });
    expect(report).toContain("| 8 | `read: categories(limit: 10)` | 120 (80-160) | 35.0 | 70.0 | 0.80 (0.80-0.80) | 2.15 (1.80-2.50) | 0 | 0.00 | 1.0 | 2.0 |");
  });
});

describe("append aims", () => {
  const measured = (eventsPerSecond: number) => ({ eventsPerSecond }) as Measurement;
  const results: Result[] = [
    { contender: "ours", writers: 1, rounds: [measured(150), measured(300)] },
    { contender: "emmett", writers: 1, rounds: [measured(100), measured(300)] },
  ];

  it("pairs the contenders round by round and checks the median against the aim", () => {
    const aims = appendAims(results, [{ label: "ours / emmett", numerator: "ours", denominator: "emmett", writers: [1], aim: 1.5 }]);
    // Per round 1.5 and 1.0: median 1.25.
    expect(aims).toEqual([{ measure: "ours / emmett, 1 writer, events/s", value: "1.25 (1.00-1.50)", aim: ">= 1.5", met: false }]);
  });

  it("reports an aim it could not measure as n/a, not as missed", () => {
    const aims = appendAims(results, [{ label: "ours / raw", numerator: "ours", denominator: "raw", writers: [1], aim: 0.8 }]);
    expect(aims[0]).toMatchObject({ value: "n/a", met: undefined });
    const summary = renderSummary({ command: "c", startedAt: new Date(0), wallMs: 60_000, loadAtStart: 1, loadPeak: 2, failures: [] }, [{ title: "library append", aims }]);
    expect(summary).toContain("0 of 1 aims met");
    expect(summary).toContain("| library append | ours / raw, 1 writer, events/s | n/a | >= 0.8 | n/a |");
  });
});

describe("writeReport", () => {
  it("replaces only its own section", async () => {
    const path = join(await mkdtemp(join(tmpdir(), "bench-report-")), "BENCHMARKS.md");
    await writeFile(path, "a\n<!-- bench:summary:begin -->\nold\n<!-- bench:summary:end -->\nb\n<!-- bench:stack:begin -->\nkept\n<!-- bench:stack:end -->\n");
    await writeReport(path, "new\n", "summary");
    expect(await readFile(path, "utf8")).toBe("a\n<!-- bench:summary:begin -->\nnew\n<!-- bench:summary:end -->\nb\n<!-- bench:stack:begin -->\nkept\n<!-- bench:stack:end -->\n");
  });
});
