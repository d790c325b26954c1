// The table at the top of docs/BENCHMARKS.md: every aim of issue 12 with the
// figure measured for it in one run of `npm run bench -- --all`, and whether
// it was met. Each section reports its own checks; this only lays them out.
import { loadavg } from "node:os";
import { median } from "./figures.ts";

export interface AimCheck {
  /** What is measured, e.g. "reads: categories(limit: 10), 8 clients, ops/s x floor". */
  measure: string;
  /** The measured figure as printed (median and min-max over rounds). */
  value: string;
  /** The aim as printed, e.g. ">= 0.7". */
  aim: string;
  /** undefined when the section could not measure it (a failed section, Emmett not loaded). */
  met: boolean | undefined;
}

/** A section's outcome: its report (between its markers) and its checks for the summary. */
export interface SectionOutcome {
  report: string;
  aims: AimCheck[];
}

export interface SummaryFacts {
  command: string;
  startedAt: Date;
  wallMs: number;
  loadAtStart: number;
  loadPeak: number;
  /** Share of CPU time the hypervisor took during the run (0-1), if known. */
  stealShare?: number;
  /** Sections that failed, with why: their aims are missing from the table. */
  failures: string[];
}

export function checkAtLeast(measure: string, values: number[], aim: number, value: string, unit = ""): AimCheck {
  return { measure, value, aim: `>= ${aim}${unit}`, met: values.length ? median(values) >= aim : undefined };
}

export function checkBelow(measure: string, values: number[], aim: number, value: string, unit = ""): AimCheck {
  return { measure, value, aim: `< ${aim}${unit}`, met: values.length ? median(values) < aim : undefined };
}

export function renderSummary(facts: SummaryFacts, sections: { title: string; aims: AimCheck[]; minutes?: number }[]): string {
  const checks = sections.flatMap((section) => section.aims);
  const met = checks.filter((check) => check.met === true).length;
  const minutes = (facts.wallMs / 60_000).toFixed(1);
  const lines = [
    `Command: \`${facts.command}\`, started ${facts.startedAt.toISOString().slice(0, 16).replace("T", " ")} UTC, ` +
      `${minutes} min wall time for every section below in one process. 1-minute load average ${facts.loadAtStart.toFixed(2)} at start, ` +
      `up to ${facts.loadPeak.toFixed(2)} during the run, ${(loadavg()[0] ?? 0).toFixed(2)} at end` +
      (facts.stealShare === undefined ? "." : `; CPU time taken by the hypervisor (steal) ${(facts.stealShare * 100).toFixed(0)}%.`) +
      (sections.some((section) => section.minutes !== undefined)
        ? ` Sections: ${sections.map((section) => `${section.title} ${section.minutes?.toFixed(1) ?? "?"} min`).join(", ")}.`
        : ""),
    "",
    `${met} of ${checks.length} aims met. Values are medians over rounds with min-max in brackets; every ratio is taken inside one round, against a baseline measured in the same run.`,
    "",
    "| section | measure | value | aim | met |",
    "|---|---|---:|---:|---|",
    ...sections.flatMap((section) =>
      section.aims.map((check) => `| ${section.title} | ${check.measure} | ${check.value} | ${check.aim} | ${check.met === undefined ? "n/a" : check.met ? "yes" : "**no**"} |`),
    ),
    ...(facts.failures.length ? ["", ...facts.failures.map((failure) => `Section failed, its aims are missing: ${failure}`)] : []),
  ];
  return `${lines.join("\n")}\n`;
}
