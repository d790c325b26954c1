// The page read far behind the head (100,000 events in 20,000 transactions)
// for a consumer of a type the log does not hold: named, after near-head
// reads (Postgres goes over to the generic plan, pg_prepared_statements
// tells), against the same text unnamed (a custom plan each time).
//   npx tsx scripts/bench/page-far-behind.ts
import pg from "pg";
import { readConsumerPage } from "../../src/consumers/page.ts";
import { startBenchDatabase } from "./database.ts";

const bench = await startBenchDatabase();
const db = new pg.Client({ connectionString: bench.url });
try {
  await db.connect();
  const insert = `INSERT INTO event_store.events (aggregate_id, aggregate_type, event_type, event_data, metadata, event_version, schema_version)
    SELECT gen_random_uuid(), 'category', 'category.updated', '{"name":"x"}'::jsonb, '{}'::jsonb, v, 1 FROM generate_series(1, 5) AS v`;
  for (let i = 0; i < 20_000; i++) await db.query(insert);
  await db.query("VACUUM ANALYZE event_store.events");
  const head = (await db.query<{ tx: string; seq: string }>("SELECT transaction_id::text AS tx, global_sequence::text AS seq FROM event_store.events ORDER BY 1 DESC, 2 DESC LIMIT 1")).rows[0]!;
  const near = { transactionId: head.tx, globalSequence: Number(head.seq) };
  const start = { transactionId: "0", globalSequence: 0 };
  const types = ["order.created"];
  // Near the head: five custom plans, then the generic one is chosen.
  for (let i = 0; i < 8; i++) await readConsumerPage(db, `near-${i % 2}`, types, 500, near).catch(() => undefined);
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    const page = await readConsumerPage(db, `far-named-${i}`, types, 500, start);
    console.log(`named: ${(performance.now() - t).toFixed(1)} ms, ${page.events.length} events`);
  }
  console.table((await db.query("SELECT name, generic_plans, custom_plans FROM pg_prepared_statements")).rows);
  const text = (await db.query("SELECT statement FROM pg_prepared_statements WHERE name = 'consumer_page'")).rows[0].statement as string;
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    await db.query(text, [`far-unnamed-${i}`, types, 500, "0", 0]);
    console.log(`unnamed: ${(performance.now() - t).toFixed(1)} ms`);
  }
} finally {
  await db.end();
  await bench.stop();
}
