// What the events table itself costs per one-row insert, and what it would
// cost without an index, against the raw one-row INSERT and our append, on
// ONE Postgres, trials alternating (order flipped every round). The lean
// copies are `LIKE event_store.events INCLUDING ALL` minus the named index,
// so they share the row, the defaults and the other indexes.
//
//   npx tsx scripts/bench/events-table-ab.ts --rounds 4 --duration 2 --writers 1,8,32 [--drop events_event_type_idx]
import { randomUUID } from "node:crypto";
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import { execute, startBenchDatabase } from "./database.ts";
import { oursOwnStreams } from "./ours.ts";
import { rawEventsTable, rawOneRow } from "./raw.ts";
import { BENCH_EVENT, ONE_EVENT, connectionPerWriter, measure, type Contender } from "./runner.ts";

const { values: args } = parseArgs({
  options: {
    rounds: { type: "string", default: "4" },
    duration: { type: "string", default: "2" },
    writers: { type: "string", default: "1,8,32" },
    drop: { type: "string", default: "events_event_type_idx" },
  },
});
const timing = { warmupMs: 500, durationMs: Number(args.duration) * 1000 };
const PAYLOAD = JSON.stringify(BENCH_EVENT.data);

/** The same insert as `raw events-table`, into a copy of the table without `index`. */
function eventsTableWithout(index: string): Contender {
  const table = `event_store.events_without_${index}`;
  return connectionPerWriter(
    `events without ${index}`,
    (db) => {
      const streamId = randomUUID();
      let version = 0;
      return async () => {
        await db.query(`INSERT INTO ${table} (aggregate_id, aggregate_type, event_type, event_data, event_version) VALUES ($1, 'bench', $2, $3, $4)`, [
          streamId,
          BENCH_EVENT.type,
          PAYLOAD,
          (version += 1),
        ]);
        return ONE_EVENT;
      };
    },
    async (db) => {
      const { rows: existing } = await db.query("SELECT to_regclass($1) IS NOT NULL AS made", [table]);
      if (existing[0]?.made) return; // by an earlier trial
      await db.query(`CREATE TABLE ${table} (LIKE event_store.events INCLUDING ALL)`);
      // LIKE names the copied indexes after the new table: find this one by its definition.
      const { rows } = await db.query<{ name: string }>(
        `SELECT copy.indexname AS name FROM pg_indexes copy JOIN pg_indexes original
           ON original.schemaname = 'event_store' AND original.tablename = 'events' AND original.indexname = $1
         WHERE copy.schemaname = 'event_store' AND copy.tablename = $2
           AND replace(copy.indexdef, copy.indexname, '') = replace(replace(original.indexdef, original.indexname, ''), 'events', $2)`,
        [index, `events_without_${index}`],
      );
      if (rows.length !== 1) throw new Error(`no single copy of ${index} on ${table}`);
      await db.query(`DROP INDEX event_store.${rows[0]!.name}`);
    },
  );
}

const contenders: Contender[] = [rawOneRow, rawEventsTable, ...args.drop.split(",").map(eventsTableWithout), oursOwnStreams];
const database = await startBenchDatabase();
try {
  const rates = new Map<string, number[]>();
  for (let round = 0; round < Number(args.rounds); round++) {
    const order = round % 2 === 0 ? contenders : [...contenders].reverse();
    for (const writers of args.writers.split(",").map(Number)) {
      for (const contender of order) {
        await execute(database.url, "CHECKPOINT");
        const { eventsPerSecond } = await measure(contender, database.url, writers, timing);
        const key = `${contender.name}/${writers}`;
        rates.set(key, [...(rates.get(key) ?? []), eventsPerSecond]);
        console.log(`round ${round + 1} ${contender.name.padEnd(40)} ${String(writers).padStart(2)} writers ${eventsPerSecond.toFixed(0).padStart(6)} events/s  load ${loadavg()[0]!.toFixed(1)}`);
      }
    }
  }
  console.log("\nx raw, per round (median)");
  for (const writers of args.writers.split(",").map(Number)) {
    const raw = rates.get(`${rawOneRow.name}/${writers}`)!;
    for (const contender of contenders.slice(1)) {
      const ratios = rates.get(`${contender.name}/${writers}`)!.map((rate, i) => rate / raw[i]!);
      console.log(`${String(writers).padStart(2)} writers ${contender.name.padEnd(40)} ${ratios.map((r) => r.toFixed(2)).join(" ")} (${median(ratios).toFixed(2)})`);
    }
  }
} finally {
  await database.stop();
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
