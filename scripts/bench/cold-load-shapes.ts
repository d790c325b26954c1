// Two shapes of the load statement, A/B on ONE warm connection of a fresh
// Postgres holding the read-models bench's 1k-event category stream (snapshot
// 5 versions before the end) and its 100k-event log, the same fold code for
// both: "S0" with a boolean `snapshot` column sorted first (before 299396c),
// "S1" as `aggregateStream` sends it now (the snapshot row is the one without
// an event type, first by version). Per round, taking turns: CPU per snapshot
// load over 400 loads each (client `process.cpuUsage()`, server the backend's
// /proc/<pid>/schedstat), then wall time as the bench times it (each load
// after a load without and two `SELECT 1`), 21 of each kind and shape.
//
//   npx tsx scripts/bench/cold-load-shapes.ts --rounds 8
import { parseArgs } from "node:util";
import { readFileSync } from "node:fs";
import { categoryWriteModel } from "../../src/commands/category-write-model.ts";
import { startBenchDatabase } from "./database.ts";
import { median } from "./figures.ts";
import { LOAD_TEXT, SNAPSHOT } from "../../src/event-store/snapshots.ts";
import { folding } from "./read-models.ts";
import { backendSchedstat, openColdLoadFixture } from "./cold-load-fixture.ts";
import { LoadSampler, currentLoad } from "./load.ts";
const { values: args } = parseArgs({ options: { rounds: { type: "string", default: "8" } } });
const { decider } = categoryWriteModel;
const S0 = `SELECT true AS snapshot, aggregate_type, NULL::text AS event_type, data, version, NULL::integer AS schema_version
    FROM (${SNAPSHOT}) AS snapshot
  UNION ALL
  SELECT false AS snapshot, aggregate_type, event_type, event_data, event_version, schema_version FROM event_store.events
  WHERE aggregate_id = $1 AND event_version > coalesce((SELECT version FROM (${SNAPSHOT}) AS snapshot), 0)
  ORDER BY snapshot DESC, version`;
const S1 = LOAD_TEXT; // the library's load statement
type Row = { snapshot?: boolean; aggregate_type: string; event_type: string | null; data: unknown; version: number; schema_version: number };
const shapes = { S0: { name: "s0", text: S0 }, S1: { name: "s1", text: S1 } } as const;
const database = await startBenchDatabase({});
const sampler = new LoadSampler();
try {
  const { db, streams: [stream] } = await openColdLoadFixture(database.url, [1000]);
  const backend = await backendSchedstat(db);
  const backendNs = () => Number(readFileSync(backend, "utf8").split(" ")[0]);
  const load = async (shape: keyof typeof shapes, withSnapshot: boolean) => {
    const { rows } = await db.query<Row>({ ...shapes[shape], values: [stream.id, withSnapshot ? decider.stateVersion : null, "category"] });
    let state = folding.initialState() as unknown;
    for (const row of rows) {
      if (shape === "S0" ? row.snapshot : row.event_type === null) { state = row.data; continue; }
      state = folding.evolve(state, folding.upcast({ type: row.event_type!, data: row.data, version: row.version, schemaVersion: row.schema_version }));
    }
    return state;
  };
  for (let i = 0; i < 20; i++) for (const s of ["S0", "S1"] as const) { await load(s, true); await load(s, false); }
  const cpu: Record<string, { client: number[]; server: number[] }> = { S0: { client: [], server: [] }, S1: { client: [], server: [] } };
  const wall: Record<string, number[]> = { S0: [], S1: [], S0without: [], S1without: [] };
  for (let round = 0; round < Number(args.rounds); round++) {
    for (const s of (round % 2 ? ["S0", "S1"] : ["S1", "S0"]) as ("S0" | "S1")[]) {
      const c0 = process.cpuUsage(); const b0 = backendNs();
      for (let i = 0; i < 400; i++) await load(s, true);
      const c = process.cpuUsage(c0); const b = backendNs() - b0;
      cpu[s]!.client.push((c.user + c.system) / 1000 / 400); cpu[s]!.server.push(b / 1e6 / 400);
    }
    for (let i = 0; i < 21; i++) for (const s of (i % 2 ? ["S0", "S1"] : ["S1", "S0"]) as ("S0" | "S1")[]) {
      await load(s, false); await db.query("SELECT 1"); await db.query("SELECT 1");
      let t = performance.now(); await load(s, true); wall[s]!.push(performance.now() - t);
      await db.query("SELECT 1"); await db.query("SELECT 1");
      t = performance.now(); await load(s, false); wall[s + "without"]!.push(performance.now() - t);
    }
  }
  for (const s of ["S0", "S1"]) console.log(s, "cpu client", median(cpu[s]!.client).toFixed(4), "server", median(cpu[s]!.server).toFixed(4), "wall with (after without + 2 SELECT 1)", median(wall[s]!).toFixed(3), "without", median(wall[s + "without"]!).toFixed(2), "client rounds", cpu[s]!.client.map((x) => x.toFixed(3)).join(" "), "server", cpu[s]!.server.map((x) => x.toFixed(3)).join(" "));
  console.log(`1-minute load average ${sampler.atStart.toFixed(2)} at start, up to ${sampler.peak.toFixed(2)}, ${currentLoad().toFixed(2)} at end`);
  await db.end();
} finally {
  sampler.stop();
  await database.stop();
}
