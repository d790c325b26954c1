// Who reads through which index of event_store.events: every reader of the
// log, timed (median of 7) and its plan shown, on a 100k-event log, with all
// indexes and then without the ones named by --drop. Evidence for migration
// 0010 (docs/BENCHMARKS.md, "The library append: migration 0010").
//
//   npx tsx scripts/bench/event-indexes.ts --drop events_event_type_idx,events_aggregate_type_idx
import { parseArgs } from "node:util";
import pg from "pg";
import { readConsumerPage } from "../../src/consumers/page.ts";
import { readGlobalLog, readHeadPosition, START, type LogPosition } from "../../src/event-store/index.ts";
import { readProjectionStatus } from "../../src/projections/status.ts";
import { startBenchDatabase } from "./database.ts";

const { values: args } = parseArgs({ options: { drop: { type: "string", default: "" }, events: { type: "string", default: "100000" } } });
const EVENTS = Number(args.events);

// A shop's mix: categories, products, orders and sagas, with a rare type.
const MIX: [aggregateType: string, eventType: string, weight: number][] = [
  ["category", "category.created", 2], ["category", "category.updated", 6], ["category", "category.deleted", 0.02],
  ["product", "product.created", 5], ["product", "product.price_changed", 15], ["product", "product.stock_reserved", 20],
  ["order", "order.created", 15], ["order", "order.confirmed", 12], ["order", "order.cancelled", 2],
  ["order_saga", "inventory.reserved", 14], ["order_saga", "payment.processed", 9],
];

const database = await startBenchDatabase();
const db = new pg.Client({ connectionString: database.url });
try {
  await db.connect();
  await seed();
  const head = await headPosition();
  const nearHead: LogPosition = await positionBack(500);
  const readers: [string, () => Promise<unknown>][] = [
    ["readGlobalLog from the start, 1000", () => readGlobalLog(db, { after: START, limit: 1000 })],
    ["readGlobalLog near the head, 1000", () => readGlobalLog(db, { after: nearHead, limit: 1000 })],
    ["events(eventType: common), 20", () => readGlobalLog(db, { limit: 20, filter: { eventType: "product.price_changed" } })],
    ["events(eventType: rare), 20", () => readGlobalLog(db, { limit: 20, filter: { eventType: "category.deleted" } })],
    ["events(aggregateType: order), 20", () => readGlobalLog(db, { limit: 20, filter: { streamType: "order" } })],
    ["events(aggregateType: category, the rarest), 20", () => readGlobalLog(db, { limit: 20, filter: { streamType: "category" } })],
    ["consumer page (categories) near the head", () => readConsumerPage(db, "categories", ["category.created", "category.updated", "category.deleted"], 100, nearHead)],
    ["consumer page (categories) at the head", () => readConsumerPage(db, "categories", ["category.created", "category.updated", "category.deleted"], 100, head)],
    ["consumer page (orders) from the start", () => readConsumerPage(db, "orders", ["order.created", "order.confirmed", "order.cancelled"], 100, START)],
    ["readHeadPosition", () => readHeadPosition(db)],
    ["recentEvents (transaction_id DESC, global_sequence DESC), 20", () => db.query("SELECT * FROM event_store.events ORDER BY transaction_id DESC, global_sequence DESC LIMIT 20")],
    ["projectionStatus", () => readProjectionStatus(db, ["categories", "products", "orders"])],
  ];
  await report("all indexes", readers);
  if (args.drop) {
    for (const index of args.drop.split(",")) await db.query(`DROP INDEX event_store.${index}`);
    await db.query("ANALYZE event_store.events");
    await report(`without ${args.drop}`, readers);
  }
} finally {
  await db.end().catch(() => undefined);
  await database.stop();
}

async function report(title: string, readers: [string, () => Promise<unknown>][]) {
  console.log(`\n## ${title}`);
  const plans: string[] = [];
  db.on("notice", (notice) => plans.push(notice.message ?? ""));
  await db.query("LOAD 'auto_explain'");
  for (const [name, read] of readers) {
    await db.query("SET auto_explain.log_min_duration = 0; SET auto_explain.log_level = notice; SET auto_explain.log_analyze = on; SET auto_explain.log_timing = off");
    plans.length = 0;
    await read();
    await db.query("SET auto_explain.log_min_duration = -1");
    const plan = plans.join("\n");
    const samples: number[] = [];
    for (let i = 0; i < 7; i++) {
      const started = performance.now();
      await read();
      samples.push(performance.now() - started);
    }
    samples.sort((a, b) => a - b);
    const indexes = [...new Set(plan.match(/(?:Index|Index Only) Scan(?: Backward)? using \w+|Bitmap Index Scan on \w+/g) ?? [])].join("; ");
    const seqScan = /Seq Scan on events/.test(plan) ? "; Seq Scan on events" : "";
    console.log(`${name.padEnd(44)} ${samples[3]!.toFixed(2).padStart(8)} ms  ${indexes}${seqScan}`);
  }
  db.removeAllListeners("notice");
}

async function seed() {
  const types = MIX.map(([, type]) => type);
  const aggregateTypes = MIX.map(([aggregateType]) => aggregateType);
  const total = MIX.reduce((sum, [, , weight]) => sum + weight, 0);
  const cumulative = MIX.map((_, i) => MIX.slice(0, i + 1).reduce((sum, [, , weight]) => sum + weight, 0) / total);
  // Transactions of 10 events, one stream each, as appends would commit them.
  for (let from = 0; from < EVENTS; from += 10) {
    await db.query(
      `WITH pick AS (SELECT gen_random_uuid() AS stream, (SELECT min(c.i) FROM (SELECT random() AS r) AS x, unnest($3::float8[]) WITH ORDINALITY AS c(p, i) WHERE c.p >= x.r) AS i)
       INSERT INTO event_store.events (aggregate_id, aggregate_type, event_type, event_data, event_version)
       SELECT pick.stream, ($2::text[])[pick.i], ($1::text[])[pick.i], '{"n": 1}'::jsonb, v FROM pick, generate_series(1, 10) AS v`,
      [types, aggregateTypes, cumulative],
    );
  }
  await db.query("VACUUM ANALYZE event_store.events");
  const { rows } = await db.query("SELECT event_type, count(*)::int AS n FROM event_store.events GROUP BY 1 ORDER BY 2");
  console.log(`seeded ${EVENTS} events: ${rows.map((r) => `${r.event_type} ${r.n}`).join(", ")}`);
}

async function headPosition(): Promise<LogPosition> {
  return positionBack(0);
}

async function positionBack(events: number): Promise<LogPosition> {
  const { rows } = await db.query<{ t: string; s: string }>(
    "SELECT transaction_id::text AS t, global_sequence::text AS s FROM event_store.events ORDER BY transaction_id DESC, global_sequence DESC OFFSET $1 LIMIT 1",
    [events],
  );
  return { transactionId: rows[0]!.t, globalSequence: Number(rows[0]!.s) };
}
