// The load's rows as arrays (`rowMode: "array"`) against objects (as
// `aggregateStream` reads them), A/B on ONE warm connection of a fresh
// Postgres holding the read-models bench's 1k-event category stream (snapshot
// 5 versions before the end) and its 100k-event log; same statement, same
// fold. CPU per load, client (`process.cpuUsage()`) and server (the backend's
// /proc/<pid>/schedstat), 400 snapshot loads and 40 loads without per side and
// round, 8 rounds taking turns. Not adopted (docs/BENCHMARKS.md).
//
//   npx tsx scripts/bench/cold-load-row-mode.ts
import { readFileSync } from "node:fs";
import { categoryWriteModel } from "../../src/commands/category-write-model.ts";
import { startBenchDatabase } from "./database.ts";
import { median } from "./figures.ts";
import { LOAD_TEXT } from "../../src/event-store/snapshots.ts";
import { folding } from "./read-models.ts";
import { backendSchedstat, openColdLoadFixture } from "./cold-load-fixture.ts";
import { currentLoad } from "./load.ts";
const { decider } = categoryWriteModel;
const S1 = LOAD_TEXT; // the library's load statement
const database = await startBenchDatabase({});
try {
  const { db, streams: [stream] } = await openColdLoadFixture(database.url, [1000]);
  const backend = await backendSchedstat(db);
  const backendNs = () => Number(readFileSync(backend, "utf8").split(" ")[0]);
  const load = async (mode: "objects" | "arrays", withSnapshot: boolean) => {
    let state = folding.initialState() as unknown;
    const values = [stream.id, withSnapshot ? decider.stateVersion : null, "category"];
    if (mode === "objects") {
      const { rows } = await db.query({ name: "o", text: S1, values });
      for (const row of rows) {
        if (row.event_type === null) { state = row.data; continue; }
        state = folding.evolve(state, folding.upcast({ type: row.event_type, data: row.data, version: row.version, schemaVersion: row.schema_version }));
      }
    } else {
      const { rows } = await db.query({ name: "a", text: S1, values, rowMode: "array" });
      for (const row of rows as unknown[][]) {
        if (row[1] === null) { state = row[2]; continue; }
        state = folding.evolve(state, folding.upcast({ type: row[1] as string, data: row[2], version: row[3] as number, schemaVersion: row[4] as number }));
      }
    }
    return state;
  };
  for (let i = 0; i < 20; i++) for (const s of ["objects", "arrays"] as const) { await load(s, true); await load(s, false); }
  const cpu: Record<string, number[]> = {};
  for (let round = 0; round < 8; round++) {
    for (const s of (round % 2 ? ["objects", "arrays"] : ["arrays", "objects"]) as ("objects" | "arrays")[]) {
      for (const w of [true, false]) {
        const n = w ? 400 : 40;
        const c0 = process.cpuUsage(); const b0 = backendNs();
        for (let i = 0; i < n; i++) await load(s, w);
        const c = process.cpuUsage(c0); const b = backendNs() - b0;
        (cpu[`${s} ${w ? "with" : "without"} client`] ??= []).push((c.user + c.system) / 1000 / n);
        (cpu[`${s} ${w ? "with" : "without"} server`] ??= []).push(b / 1e6 / n);
      }
    }
  }
  for (const [k, v] of Object.entries(cpu)) console.log(k.padEnd(28), median(v).toFixed(4), v.map((x) => x.toFixed(3)).join(" "));
  console.log("load", currentLoad());
  await db.end();
} finally {
  await database.stop();
}
