// The consumer page read's planning against its execution: EXPLAIN ANALYZE of
// the statement as readConsumerPage sends it (a custom plan, planned with its
// parameters) and as a prepared statement with a generic plan, on a log of
// many small transactions with the checkpoint a few events behind the head;
// then the wall time per call sent unnamed and named (plan_cache_mode auto:
// pg_prepared_statements tells how many of its plans were generic).
//   npx tsx scripts/bench/page-plan.ts [--transactions 4000] [--repeat 200]
import { parseArgs } from "node:util";
import type { Queryable } from "../../src/event-store/index.ts";
import { readConsumerPage } from "../../src/consumers/page.ts";
import { startBenchDatabase } from "./database.ts";
import pg from "pg";

const { values: args } = parseArgs({ options: { transactions: { type: "string", default: "4000" }, repeat: { type: "string", default: "200" } } });
const bench = await startBenchDatabase({ statementStats: true });
const db = new pg.Client({ connectionString: bench.url });
try {
  await db.connect();
  const insert = `INSERT INTO event_store.events (aggregate_id, aggregate_type, event_type, event_data, metadata, event_version, schema_version)
    SELECT gen_random_uuid(), 'category', CASE WHEN v % 2 = 0 THEN 'category.created' ELSE 'product.created' END, '{"name":"x"}'::jsonb, '{}'::jsonb, v, 1 FROM generate_series(1, 3) AS v`;
  for (let i = 0; i < Number(args.transactions); i++) await db.query(insert);
  await db.query("VACUUM ANALYZE event_store.events");
  const { rows: [near] } = await db.query<{ tx: string; seq: string }>(
    "SELECT transaction_id::text AS tx, global_sequence::text AS seq FROM event_store.events ORDER BY transaction_id DESC, global_sequence DESC OFFSET 8 LIMIT 1",
  );
  const at = { transactionId: near!.tx, globalSequence: Number(near!.seq) };
  await db.query(`INSERT INTO query.checkpoints (consumer, transaction_id, global_sequence) VALUES ('probe', $1::xid8, $2)`, [at.transactionId, at.globalSequence]);
  // The statement as it is sent: caught on its way to the driver.
  let sent: { text: string; params: unknown[] } | undefined;
  const catcher = {
    query: async (statement: { text: string; values: unknown[] }) => ((sent = { text: statement.text, params: statement.values }), db.query(statement.text, statement.values)),
  } as unknown as Queryable;
  const page = await readConsumerPage(catcher, "probe", ["category.created"], 100, at);
  console.log(`page: ${page.events.length} events, passedOver ${JSON.stringify(page.passedOver)}`);
  const { text, params } = sent!;
  const literal = (v: unknown) => (v === null ? "NULL" : Array.isArray(v) ? `'{${v.join(",")}}'` : `'${String(v)}'`);
  const withLiterals = text.replace(/\$(\d+)/g, (_, n) => literal(params[Number(n) - 1]));
  const summary = (rows: { "QUERY PLAN": string }[]) => rows.map((r) => r["QUERY PLAN"]).filter((l) => /Planning Time|Execution Time/.test(l)).join("; ");
  console.log("custom plan:", summary((await db.query(`EXPLAIN (ANALYZE, SUMMARY) ${withLiterals}`)).rows));
  await db.query(`PREPARE page_read AS ${text}`);
  await db.query("SET plan_cache_mode = force_generic_plan");
  const args2 = params.map(literal).join(", ");
  const generic = (await db.query(`EXPLAIN (ANALYZE, SUMMARY) EXECUTE page_read(${args2})`)).rows;
  console.log("generic plan (first execute):", summary(generic));
  const generic2 = (await db.query(`EXPLAIN (ANALYZE, SUMMARY, COSTS) EXECUTE page_read(${args2})`)).rows;
  console.log("generic plan (again):", summary(generic2));
  if (process.env.SHOW_PLAN) console.log(generic2.map((r) => r["QUERY PLAN"]).join("\n"));
  await db.query("RESET plan_cache_mode");
  await db.query("SELECT pg_stat_statements_reset()");
  const repeat = Number(args.repeat);
  let t = performance.now();
  for (let i = 0; i < repeat; i++) await db.query(text, params);
  const unnamedMs = (performance.now() - t) / repeat;
  t = performance.now();
  for (let i = 0; i < repeat; i++) await db.query({ name: "page_named", text, values: params });
  const namedMs = (performance.now() - t) / repeat;
  console.table((await db.query("SELECT name, generic_plans, custom_plans FROM pg_prepared_statements")).rows);
  const stats = await db.query(`SELECT calls, plans, round(total_plan_time::numeric / greatest(calls, 1), 3) AS plan_ms, round(total_exec_time::numeric / calls, 3) AS exec_ms, left(query, 30) AS q
    FROM pg_stat_statements WHERE query LIKE 'WITH bound%'`);
  console.log(`wall per call: unnamed ${unnamedMs.toFixed(3)} ms, named generic ${namedMs.toFixed(3)} ms`);
  console.table(stats.rows);
} finally {
  await db.end();
  await bench.stop();
}
