// `npm run bench -- --hot-aggregate`: DESIGN.md's hot-aggregate target, group
// commit through the AggregateDO - at least 10x Emmett's hot-stream rate, p99
// under 20 ms, no conflicts. Closed-loop clients send `updateCategory` by RPC
// to ONE category's AggregateDO from inside workerd (hot-aggregate/ beside
// this file: `wrangler dev` runs a Worker whose fetch handler runs the trial
// next to the real Durable Objects, consumers included), so no HTTP floor
// stands in front of it. Each round also runs the trials the old way, in the
// Workers test pool, whose Durable Object wrapper costs a round trip to Node
// per call: that row shows the old method's bias.
// Emmett's 8 writers on one stream (exact version, retry on conflict) run on
// the same fresh Postgres in the same round, just before.
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import pg from "pg";
import type { SectionOutcome } from "./aims.ts";
import { checkAtLeast, checkBelow } from "./aims.ts";
import { startBenchDatabase } from "./database.ts";
import { createEmmettSchema, emmettHotStreamExact } from "./emmett.ts";
import { median, ms, rate, spread } from "./figures.ts";
import { runFacts, type LibraryBenchContext } from "./append.ts";
import type { RunFacts } from "./report.ts";
import { measure, type Measurement } from "./runner.ts";
import { buildDashboard, DASHBOARD_BUILT } from "../lib/dashboard-build.ts";
import { findFreePort } from "../lib/ports.ts";
import { REPO_ROOT } from "../lib/stack-options.ts";
import { startWranglerDev } from "../lib/wrangler-dev.ts";
import { startWsProxy } from "../lib/ws-proxy.ts";
import { descendantTicks, TICKS_PER_SECOND } from "./process-cpu.ts";
import type { AggregateTrial } from "./hot-aggregate/trial.ts";

export interface HotAggregateOptions {
  /** Commands in flight at once, one trial each. */
  clients: number[];
  /** Emmett's writers on its one stream (DESIGN.md's figure is for 8). */
  emmettWriters: number;
}

type MeasuredTrial = AggregateTrial & { eventsPerSecond: number; eventsPerAppend: number; cpu?: CommandCpu };

/** CPU ms per command answered, over a `wrangler dev` trial and the consumers' catch-up after it. */
interface CommandCpu {
  workerd: number;
  postgres: number;
  /** This process: the WebSocket proxy, and nothing else while a trial runs. */
  proxy: number;
}

interface Round {
  emmett: Measurement;
  ours: MeasuredTrial[];
  /** The same trials in the Workers test pool (the method before 2026-12-01 17:00). */
  testPool: MeasuredTrial[];
}

const DRIVER_CONFIG = "scripts/bench/hot-aggregate/vitest.config.ts";
const TRIAL_LINE = /HOT_AGGREGATE (\{.*\})/g;
const AIM_RATIO = 10;
const CATCH_UP_MS = 1_000;
const AIM_P99_MS = 20;

export async function runHotAggregateBench(context: LibraryBenchContext, options: HotAggregateOptions): Promise<SectionOutcome> {
  await buildDashboard(); // the driver's workerd serves public/ like the Worker does
  const database = await startBenchDatabase();
  context.started(database);
  try {
    await createEmmettSchema(database.url);
    const rounds: Round[] = [];
    for (let round = 0; round < context.rounds; round++) {
      const emmett = await measure(emmettHotStreamExact, database.url, options.emmettWriters, context.timing);
      const measured = <T extends AggregateTrial>(trials: T[]) => Promise.all(trials.map(async (trial) => ({ ...trial, ...(await appendsOf(database.url, trial)) })));
      const ours = await measured(await driveInWranglerDev(database.url, options.clients, context.timing));
      const testPool = await measured(await driveInTestPool(database.url, options.clients, context.timing));
      rounds.push({ emmett, ours, testPool });
      const summary = (trials: MeasuredTrial[]) =>
        trials.map((t) => `${t.clients} clients ${rate(t.eventsPerSecond)} events/s p99 ${t.p99} ms, ${t.eventsPerAppend.toFixed(1)} events per append${t.cpu ? `, workerd ${t.cpu.workerd.toFixed(2)} ms CPU per command` : ""}`).join("; ");
      console.error(`round ${round + 1}/${context.rounds}: emmett hot ${rate(emmett.eventsPerSecond)} events/s; ${summary(ours)}; in the test pool: ${summary(testPool)}`);
    }
    return render(runFacts(context, database), options, rounds);
  } finally {
    await database.stop();
  }
}

/**
 * Runs the trials in `wrangler dev` (one workerd, every client count in turn),
 * the bench's Worker (hot-aggregate/bench-worker.ts) in front of the app's
 * Durable Objects, reaching Postgres through the WebSocket proxy as the stack does.
 */
async function driveInWranglerDev(url: string, clients: number[], timing: LibraryBenchContext["timing"]): Promise<(AggregateTrial & { cpu: CommandCpu })[]> {
  const target = new URL(url);
  const proxy = await startWsProxy({ allowedTargets: [`${target.hostname}:${target.port || 5432}`] });
  const persistTo = await mkdtemp(join(tmpdir(), "hot-aggregate-wrangler-"));
  const port = await findFreePort();
  const wrangler = startWranglerDev({
    port,
    script: "scripts/bench/hot-aggregate/bench-worker.ts",
    vars: { DATABASE_URL: url, DB_PROXY: `127.0.0.1:${proxy.port}`, AUTH_MODE: "open", RATE_LIMIT: "off" },
    persistTo,
    echo: false,
  });
  try {
    const base = `http://127.0.0.1:${port}`;
    await waitUntilServing(base, wrangler.exited).catch((error: Error) => {
      throw new Error(`${error.message}:\n${wrangler.recentOutput()}`);
    });
    const runTrial = async (count: number, warmupMs: number, durationMs: number) => {
      const query = new URLSearchParams({ clients: String(count), warmupMs: String(warmupMs), durationMs: String(durationMs) });
      const response = await fetch(`${base}/trial?${query}`);
      if (!response.ok) throw new Error(`the hot-aggregate trial answered ${response.status}: ${await response.text()}\n${wrangler.recentOutput()}`);
      return (await response.json()) as AggregateTrial;
    };
    // A fresh workerd's first commands pay what a long-running one has paid
    // (compiling, connecting every Durable Object's Postgres session): not
    // in the CPU per command.
    await runTrial(clients[0]!, 0, timing.warmupMs);
    await sleep(CATCH_UP_MS);
    const trials: (AggregateTrial & { cpu: CommandCpu })[] = [];
    for (const count of clients) {
      const ticksBefore = descendantTicks();
      const ownBefore = process.cpuUsage();
      const trial = await runTrial(count, timing.warmupMs, timing.durationMs);
      await sleep(CATCH_UP_MS); // the consumers' passes for the last commits belong to the trial too
      const ticksAfter = descendantTicks();
      const own = process.cpuUsage(ownBefore);
      const perCommand = (name: string) => (((ticksAfter.get(name) ?? 0) - (ticksBefore.get(name) ?? 0)) * 1000) / TICKS_PER_SECOND / trial.answered;
      trials.push({ ...trial, cpu: { workerd: perCommand("workerd"), postgres: perCommand("postgres"), proxy: (own.user + own.system) / 1000 / trial.answered } });
    }
    return trials;
  } finally {
    await wrangler.stop();
    await proxy.close();
    await rm(persistTo, { recursive: true, force: true });
  }
}

async function waitUntilServing(base: string, exited: Promise<unknown>): Promise<void> {
  let gone = false;
  void exited.then(() => (gone = true));
  for (let attempt = 0; attempt < 600 && !gone; attempt++) {
    if (await fetch(base).then((r) => r.ok, () => false)) return;
    await sleep(100);
  }
  throw new Error("wrangler dev did not start serving the hot-aggregate Worker");
}

/** The old method: the driver in the Workers test pool (one workerd, every client count in turn), its trials read from its output. */
async function driveInTestPool(url: string, clients: number[], timing: LibraryBenchContext["timing"]): Promise<AggregateTrial[]> {
  const child = spawn(process.execPath, [join(REPO_ROOT, "node_modules/vitest/vitest.mjs"), "run", "--config", DRIVER_CONFIG], {
    cwd: REPO_ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      DATABASE_URL: url,
      [DASHBOARD_BUILT]: "1",
      HOT_AGGREGATE_CLIENTS: clients.join(","),
      HOT_AGGREGATE_WARMUP_MS: String(timing.warmupMs),
      HOT_AGGREGATE_DURATION_MS: String(timing.durationMs),
      CLOUDFLARE_CF_FETCH_ENABLED: "false",
    },
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  const trials = [...output.matchAll(TRIAL_LINE)].map((match) => JSON.parse(match[1]!) as AggregateTrial);
  if (code !== 0 || trials.length !== clients.length) {
    throw new Error(`the hot-aggregate driver exited with ${code} after ${trials.length} of ${clients.length} trials:\n${output.slice(-3000)}`);
  }
  return trials;
}

/** Events per second in the window, and how many events each append carried (the group commit). */
async function appendsOf(url: string, trial: AggregateTrial): Promise<{ eventsPerSecond: number; eventsPerAppend: number }> {
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  try {
    const { rows } = await db.query<{ events: number; appends: number }>(
      "SELECT count(*)::int AS events, count(DISTINCT transaction_id)::int AS appends FROM event_store.events WHERE aggregate_id = $1",
      [trial.aggregateId],
    );
    const { events, appends } = rows[0]!;
    // Each command renames the category: one event per command.
    return { eventsPerSecond: (trial.commands / trial.windowMs) * 1000, eventsPerAppend: appends === 0 ? 0 : events / appends };
  } finally {
    await db.end();
  }
}

function render(facts: RunFacts, options: HotAggregateOptions, rounds: Round[]): SectionOutcome {
  const { machine } = facts;
  const emmettRates = rounds.map((r) => r.emmett.eventsPerSecond);
  const trialsOf = (clients: number, method: "ours" | "testPool" = "ours") => rounds.map((r) => r[method].find((t) => t.clients === clients)!);
  const lines = [
    `Command: \`${facts.command}\` on ${facts.date}: ${facts.rounds} round(s), each trial ${facts.timing.warmupMs / 1000} s warm-up + ${facts.timing.durationMs / 1000} s measured.`,
    `Machine: nproc ${machine.nproc} (${machine.cpu}), Node ${machine.node}, PostgreSQL ${machine.postgres} (embedded, fresh, fsync on), ` +
      `1-minute load average ${machine.loadAtStart.toFixed(2)} at start, up to ${facts.loadPeak.toFixed(2)} during the run, ${facts.loadAtEnd.toFixed(2)} at end.`,
    "",
    "| contender | writers or clients | events/s (median, min-max) | p50 ms | p99 ms | conflicts or errors | events per append |",
    "|---|---:|---:|---:|---:|---:|---:|",
    `| emmett hot (exact+retry) | ${options.emmettWriters} | ${spread(emmettRates, rate)} | ${ms(median(rounds.map((r) => r.emmett.p50)))} | ` +
      `${ms(median(rounds.map((r) => r.emmett.p99)))} | ${median(rounds.map((r) => r.emmett.conflictsPerEvent)).toFixed(2)} conflicts/event | 1 |`,
    ...(["ours", "testPool"] as const).flatMap((method) =>
      options.clients.map((clients) => {
        const trials = trialsOf(clients, method);
        const name = method === "ours" ? "AggregateDO, one category" : "... the same in the Workers test pool (old method)";
        return `| ${name} | ${clients} | ${spread(trials.map((t) => t.eventsPerSecond), rate)} | ${ms(median(trials.map((t) => t.p50)))} | ` +
          `${ms(median(trials.map((t) => t.p99)))} | ${trials.reduce((sum, t) => sum + t.errors, 0)} errors | ${median(trials.map((t) => t.eventsPerAppend)).toFixed(1)} |`;
      }),
    ),
    "",
    "CPU per command answered in the `wrangler dev` trials (user + system from /proc over the trial and 1 s after it, warm-up included; median over rounds), ms:",
    "",
    "| clients | workerd (the Durable Objects, consumers and the trial's clients) | Postgres | the WebSocket proxy |",
    "|---:|---:|---:|---:|",
    ...options.clients.map((clients) => {
      const cpus = trialsOf(clients).map((t) => t.cpu!);
      return `| ${clients} | ${median(cpus.map((c) => c.workerd)).toFixed(2)} | ${median(cpus.map((c) => c.postgres)).toFixed(2)} | ${median(cpus.map((c) => c.proxy)).toFixed(2)} |`;
    }),
    "",
    `Aims (DESIGN.md): events/s at least ${AIM_RATIO}x Emmett's hot stream (each ratio inside one round), p99 under ${AIM_P99_MS} ms, no conflicts.`,
    "",
    "| clients | AggregateDO / emmett hot | aim | met | p99 ms | aim | met |",
    "|---:|---:|---:|---|---:|---:|---|",
    ...options.clients.map((clients) => {
      const ratios = rounds.map((r) => r.ours.find((t) => t.clients === clients)!.eventsPerSecond / r.emmett.eventsPerSecond);
      const p99s = trialsOf(clients).map((t) => t.p99);
      const ratioCheck = checkAtLeast("", ratios, AIM_RATIO, "");
      const p99Check = checkBelow("", p99s, AIM_P99_MS, "");
      return `| ${clients} | ${spread(ratios, (v) => v.toFixed(2))} | >= ${AIM_RATIO} | ${ratioCheck.met ? "yes" : "no"} | ${spread(p99s, ms)} | < ${AIM_P99_MS} | ${p99Check.met ? "yes" : "no"} |`;
    }),
  ];
  return { report: `${lines.join("\n")}\n`, aims: [] };
}
