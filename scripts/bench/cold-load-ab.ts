// A/B of the cold load's statement on ONE Postgres and ONE warm connection,
// so both sides share the machine's load load by load: "named" is
// `aggregateStream` as it is (a named statement, planned once per
// connection), "unnamed" the same code with the statement's name stripped
// (parsed and planned on every load, as before). Loads alternate between the
// sides, with and without a snapshot, the order flipped every pair. Also
// prints what a snapshot load is made of: a `SELECT 1` round trip and the
// statement's planning and execution time (EXPLAIN ANALYZE), and the first
// load on a new connection (connect not timed), and the CPU a load costs the
// client and the server (load-robust: what a quiet machine's time is made of).
//
//   npx tsx scripts/bench/cold-load-ab.ts --rounds 3 --loads 41
import { readFile } from "node:fs/promises";
import { LoadSampler, currentLoad } from "./load.ts";
import { parseArgs } from "node:util";
import pg from "pg";
import { categoryWriteModel } from "../../src/commands/category-write-model.ts";
import { aggregateStream, type NamedStatement, type Queryable } from "../../src/event-store/index.ts";
import { startBenchDatabase } from "./database.ts";
import { median } from "./figures.ts";
import { folding, type LoadableStream } from "./read-models.ts";
import { openColdLoadFixture } from "./cold-load-fixture.ts";

const { values: args } = parseArgs({
  options: {
    rounds: { type: "string", default: "3" },
    loads: { type: "string", default: "41" },
    sizes: { type: "string", default: "1000,10000" },
    fresh: { type: "string", default: "11" },
    "cpu-loads": { type: "string", default: "1000" },
  },
});
const { decider } = categoryWriteModel;

/** The load statement's text, as the named statement sends it (captured from one call). */
let loadText = "";
await aggregateStream(
  {
    query: async (statement: string | NamedStatement) => {
      loadText = typeof statement === "string" ? statement : statement.text;
      return { rows: [] };
    },
  } as Queryable,
  "00000000-0000-0000-0000-000000000000",
  { initialState: () => null, evolve: (s) => s },
);

/** The same connection, every statement sent unnamed. */
function unnamed(db: pg.Client): Queryable {
  return {
    query: (statement: string | NamedStatement, values?: unknown[]) =>
      typeof statement === "string" ? db.query(statement, values) : db.query(statement.text, statement.values),
  } as Queryable;
}

/** CPU time a Postgres backend has used so far (utime + stime from /proc; 10 ms ticks). */
async function backendCpuMs(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

async function timedLoad(db: Queryable, stream: LoadableStream, withSnapshot: boolean): Promise<number> {
  const started = performance.now();
  const loaded = await aggregateStream(db, stream.id, { ...folding, ...(withSnapshot ? { snapshot: { stateVersion: decider.stateVersion } } : {}) });
  const ms = performance.now() - started;
  if (loaded.version !== stream.events || (withSnapshot && loaded.snapshotVersion === null)) throw new Error("load went wrong");
  return ms;
}

const database = await startBenchDatabase();
const load = new LoadSampler();
try {
  const { db, streams } = await openColdLoadFixture(database.url, args.sizes.split(",").map(Number));
  const sides: Record<string, Queryable> = { named: db, unnamed: unnamed(db) };

  for (let round = 1; round <= Number(args.rounds); round++) {
    for (const stream of streams) {
      const times: Record<string, number[]> = {};
      // One unmeasured load of each kind first: JIT, buffer cache, the named statement's plan.
      for (const side of Object.keys(sides)) for (const withSnapshot of [false, true]) await timedLoad(sides[side]!, stream, withSnapshot);
      for (let i = 0; i < Number(args.loads); i++) {
        const order = i % 2 ? Object.keys(sides) : Object.keys(sides).reverse();
        for (const side of order) {
          for (const withSnapshot of i % 2 ? [true, false] : [false, true]) {
            (times[`${side} ${withSnapshot ? "with" : "without"}`] ??= []).push(await timedLoad(sides[side]!, stream, withSnapshot));
          }
        }
      }
      const m = (key: string) => median(times[key]!);
      console.log(
        `round ${round} ${stream.events} events: ` +
          Object.keys(sides).map((side) => `${side} without ${m(`${side} without`).toFixed(2)} / with ${m(`${side} with`).toFixed(3)} ms = ${(m(`${side} without`) / m(`${side} with`)).toFixed(1)}x`).join("; ") +
          `; unnamed/named with: ${(m("unnamed with") / m("named with")).toFixed(2)}`,
      );
    }
    // CPU per load, client (this process) and server (the connection's
    // backend, from /proc): what a quiet machine's wall time would be made
    // of, robust to the waits for a core that a loaded machine adds.
    for (const stream of streams.slice(0, 1)) {
      const cpu: Record<string, { client: number; server: number }> = {};
      for (const side of Object.keys(sides)) {
        const client = new pg.Client({ connectionString: database.url });
        await client.connect();
        const queryable = side === "named" ? client : unnamed(client);
        const pid = (await client.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0]!.pid;
        for (const withSnapshot of [false, true]) {
          const n = withSnapshot ? Number(args["cpu-loads"]) : Math.ceil(Number(args["cpu-loads"]) / 20);
          await timedLoad(queryable, stream, withSnapshot);
          const [client0, server0] = [process.cpuUsage(), await backendCpuMs(pid)];
          for (let i = 0; i < n; i++) await timedLoad(queryable, stream, withSnapshot);
          const [client1, server1] = [process.cpuUsage(client0), await backendCpuMs(pid)];
          cpu[`${side} ${withSnapshot ? "with" : "without"}`] = { client: (client1.user + client1.system) / 1000 / n, server: (server1 - server0) / n };
        }
        await client.end();
      }
      const total = (key: string) => cpu[key]!.client + cpu[key]!.server;
      console.log(
        `round ${round} ${stream.events} events, CPU ms per load (client + server): ` +
          Object.keys(sides)
            .map((side) => `${side} without ${cpu[`${side} without`]!.client.toFixed(2)} + ${cpu[`${side} without`]!.server.toFixed(2)} / with ${cpu[`${side} with`]!.client.toFixed(3)} + ${cpu[`${side} with`]!.server.toFixed(3)} = ${(total(`${side} without`) / total(`${side} with`)).toFixed(1)}x`)
            .join("; "),
      );
    }
    // The first load on a connection of its own, connect not timed: what a
    // new AggregateDO that connects straight to Postgres pays (named or not,
    // its first statement is parsed and planned, in a backend whose catalog
    // caches are still cold).
    const fresh = { without: [] as number[], with: [] as number[] };
    for (let i = 0; i < Number(args.fresh); i++) {
      for (const withSnapshot of i % 2 ? [true, false] : [false, true]) {
        const client = new pg.Client({ connectionString: database.url });
        await client.connect();
        fresh[withSnapshot ? "with" : "without"].push(await timedLoad(client, streams[0]!, withSnapshot));
        await client.end();
      }
    }
    console.log(
      `round ${round} ${streams[0]!.events} events, first load on a new connection (median of ${args.fresh}): without ${median(fresh.without).toFixed(2)} / with ${median(fresh.with).toFixed(2)} ms = ${(median(fresh.without) / median(fresh.with)).toFixed(1)}x`,
    );
    // What a snapshot load is made of, on the same connection.
    const roundTrip: number[] = [];
    const planning: number[] = [];
    const execution: number[] = [];
    for (let i = 0; i < 21; i++) {
      const started = performance.now();
      await db.query("SELECT 1");
      roundTrip.push(performance.now() - started);
      await db.query("SET plan_cache_mode = force_custom_plan");
      const { rows } = await db.query<{ "QUERY PLAN": { "Planning Time": number; "Execution Time": number }[] }>({
        text: `EXPLAIN (ANALYZE, SUMMARY, FORMAT JSON) ${loadText}`,
        values: [streams[0]!.id, decider.stateVersion, decider.aggregateType],
      });
      await db.query("RESET plan_cache_mode");
      planning.push(rows[0]!["QUERY PLAN"][0]!["Planning Time"]);
      execution.push(rows[0]!["QUERY PLAN"][0]!["Execution Time"]);
    }
    console.log(
      `round ${round} snapshot load of ${streams[0]!.events} events on the server: planning ${median(planning).toFixed(3)} ms, execution ${median(execution).toFixed(3)} ms; ` +
        `SELECT 1 round trip ${median(roundTrip).toFixed(3)} ms (medians of 21); load ${currentLoad().toFixed(2)}`,
    );
  }
  await db.end();
  console.log(`1-minute load average ${load.atStart.toFixed(2)} at start, up to ${load.peak.toFixed(2)}`);
} finally {
  load.stop();
  await database.stop();
}
