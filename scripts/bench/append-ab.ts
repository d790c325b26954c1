// A/B of the library append between two migration sets on ONE Postgres, so
// both sides share the machine's load minute by minute: database "before" gets
// the migrations of another folder (a checkout of the base commit), database
// "after" this branch's. Trials alternate before/after (order flipped every
// round) with the same client code, plus `raw` for the ratio.
//
//   npx tsx scripts/bench/append-ab.ts --before /work/main/migrations --rounds 4 --duration 2 --writers 1,8,32
//
// With --profile (pg_stat_statements loaded, which slows every trial a little):
// also the server time of the append statement and the WAL per event of each
// side, from one extra 1-writer trial.
import { parseArgs } from "node:util";
import { drizzle } from "drizzle-orm/neon-serverless";
import { migrate } from "drizzle-orm/neon-serverless/migrator";
import { createPool } from "../../src/db/connection.ts";
import { startWsProxy } from "../lib/ws-proxy.ts";
import { execute, startBenchDatabase } from "./database.ts";
import { oursOwnStreams } from "./ours.ts";
import { profiled } from "./profile.ts";
import { rawOneRow } from "./raw.ts";
import { BENCH_EVENT, ONE_EVENT, connectionPerWriter, measure, type Contender } from "./runner.ts";
import { randomUUID } from "node:crypto";
import { loadavg } from "node:os";

const { values: args } = parseArgs({
  options: {
    before: { type: "string" },
    rounds: { type: "string", default: "4" },
    duration: { type: "string", default: "2" },
    writers: { type: "string", default: "1,8,32" },
    profile: { type: "boolean", default: false },
    // Adds "unnamed": the same call sent as an unnamed statement (parsed and planned every time).
    unnamed: { type: "boolean", default: false },
    // The before side calls append_to_stream (migrations 0000-0011) as the
    // client did until 0012, instead of this branch's client code.
    "before-function": { type: "boolean", default: false },
  },
});
if (!args.before) throw new Error("--before <migrations folder> is required");
const rounds = Number(args.rounds);
const timing = { warmupMs: 500, durationMs: Number(args.duration) * 1000 };
const writerCounts = args.writers.split(",").map(Number);

/** This branch's append, sent as an unnamed statement as before the named one. */
const oursUnnamed = connectionPerWriter("ours unnamed", (db) => {
  const streamId = randomUUID();
  let version = 0;
  return async () => {
    const { rows } = await db.query<{ stream_version: number }>(
      `SELECT stream_version, transaction_id::text AS transaction_id, global_sequences::text[] AS global_sequences
       FROM event_store.append_to_stream($1::uuid, $2, $3::integer, $4::jsonb, $5::jsonb)`,
      [streamId, "bench", version, JSON.stringify([BENCH_EVENT]), null],
    );
    version = rows[0]!.stream_version;
    return ONE_EVENT;
  };
});

/** The append as the client sent it until migration 0012: append_to_stream, as a named statement. */
const oursFunction = connectionPerWriter("ours function", (db) => {
  const streamId = randomUUID();
  let version = 0;
  return async () => {
    const { rows } = await db.query<{ stream_version: number }>({
      name: "event_store_append_to_stream",
      text: `SELECT stream_version, transaction_id::text AS transaction_id, global_sequences::text[] AS global_sequences
       FROM event_store.append_to_stream($1::uuid, $2, $3::integer, $4::jsonb, $5::jsonb)`,
      values: [streamId, "bench", version, JSON.stringify([BENCH_EVENT]), null],
    });
    version = rows[0]!.stream_version;
    return ONE_EVENT;
  };
});

const database = await startBenchDatabase({ statementStats: args.profile });
try {
  const before = await databaseWithMigrations(database.url, "before", args.before);
  const after = database.url;
  const sides: [string, Contender, string][] = [
    ["before", args["before-function"] ? oursFunction : oursOwnStreams, before],
    ["after", oursOwnStreams, after],
    ["raw", rawOneRow, after],
    ...(args.unnamed ? [["unnamed", oursUnnamed, after] as [string, Contender, string]] : []),
  ];
  const rates = new Map<string, number[]>();
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? sides : [...sides].reverse();
    for (const writers of writerCounts) {
      for (const [side, contender, url] of order) {
        await execute(url, "CHECKPOINT");
        const { eventsPerSecond } = await measure(contender, url, writers, timing);
        const key = `${side}/${writers}`;
        rates.set(key, [...(rates.get(key) ?? []), eventsPerSecond]);
        console.log(`round ${round + 1} ${side.padEnd(6)} ${String(writers).padStart(2)} writers ${eventsPerSecond.toFixed(0).padStart(6)} events/s  load ${loadavg()[0]!.toFixed(1)}`);
      }
    }
  }
  console.log("\nwriters | after/before per round (median) | after/raw (median) | before/raw (median)");
  for (const writers of writerCounts) {
    if (args.unnamed) {
      const named = rates.get(`after/${writers}`)!;
      const unnamed = rates.get(`unnamed/${writers}`)!;
      console.log(`${writers} writers: after (named) / unnamed ${named.map((x, i) => (x / unnamed[i]!).toFixed(2)).join(" ")} (${median(named.map((x, i) => x / unnamed[i]!)).toFixed(2)})`);
    }
    const get = (side: string) => rates.get(`${side}/${writers}`)!;
    const ratio = (a: number[], b: number[]) => a.map((x, i) => x / b[i]!);
    const fmt = (values: number[]) => `${values.map((v) => v.toFixed(2)).join(" ")} (${median(values).toFixed(2)})`;
    console.log(`${writers} | ${fmt(ratio(get("after"), get("before")))} | ${fmt(ratio(get("after"), get("raw")))} | ${fmt(ratio(get("before"), get("raw")))}`);
  }
  for (const [side, contender, url] of args.profile ? sides.slice(0, 2) : []) {
    await execute(url, "CHECKPOINT");
    const { profile } = await profiled(url, () => measure(contender, url, 1, timing));
    const top = profile.statements.find((s) => s.query.includes("stream_version"));
    console.log(
      `${side}: WAL ${profile.wal.records.toFixed(2)} records / ${profile.wal.bytes.toFixed(0)} bytes per event (${profile.wal.fullPages.toFixed(3)} full pages); ` +
        `append statement exec ${top?.meanMs.toFixed(4)} ms + plan ${top?.meanPlanMs.toFixed(4)} ms (${top?.plans} plans / ${top?.calls} calls)`,
    );
  }
} finally {
  await database.stop();
}

async function databaseWithMigrations(url: string, name: string, folder: string): Promise<string> {
  await execute(url, `CREATE DATABASE ${name}`);
  const target = new URL(url);
  target.pathname = `/${name}`;
  const proxy = await startWsProxy({ allowedTargets: [`${target.hostname}:${target.port}`] });
  const pool = createPool({ url: target.toString(), proxy: `127.0.0.1:${proxy.port}` }, 1);
  try {
    await pool.query("SET client_min_messages = warning");
    await migrate(drizzle({ client: pool }), { migrationsFolder: folder });
  } finally {
    await pool.end();
    await proxy.close();
  }
  if (args.profile) await execute(target.toString(), "CREATE EXTENSION pg_stat_statements");
  return target.toString();
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
