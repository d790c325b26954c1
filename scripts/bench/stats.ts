// How the stats answers scale with the log: the seed's counting queries as
// they were (scans per request) against the stats read model, on a log of
// N events (default 1,000,000) in a fresh embedded Postgres.
//   npx tsx scripts/bench/stats.ts [events]
import pg from "pg";
import { CONSUMER_NAMES } from "../../src/consumers/registry.ts";
import { runUntilCaughtUp } from "../../src/consumers/runner.ts";
import { readProjectionStatus } from "../../src/projections/status.ts";
import { readEventCounts, statsConsumer } from "../../src/stats/event-counts.ts";
import { systemStatistics } from "../../src/stats/system-statistics.ts";
import { startBenchDatabase } from "./database.ts";

const EVENTS = Number(process.argv[2] ?? 1_000_000);
const TYPES = ["category.created", "product.created", "product.price_changed", "order.created", "order_saga.started", "order_saga.completed", "payment.processed"];
const RUNS = 20;

/** The per-request statements the resolvers ran before the stats read model. */
const SCANS = {
  eventStoreStats: "SELECT event_type, count(*)::integer AS count, max(global_sequence)::text AS latest FROM event_store.events GROUP BY event_type ORDER BY event_type",
  systemStatistics: `SELECT (SELECT count(*) FROM event_store.events)::integer AS events,
      (SELECT count(*) FROM command.categories)::integer, (SELECT count(*) FROM command.products)::integer,
      (SELECT count(*) FROM query.categories)::integer, (SELECT count(*) FROM query.products)::integer, (SELECT count(*) FROM query.orders)::integer,
      (SELECT count(*) FROM event_store.sagas WHERE status IN ('started', 'compensating'))::integer,
      (SELECT count(*) FROM event_store.sagas WHERE status = 'completed')::integer,
      (SELECT count(*) FROM event_store.sagas WHERE status IN ('failed', 'compensated'))::integer`,
  projectionStatus: `SELECT n.consumer, pending.events_behind FROM unnest($1::text[]) AS n(consumer)
      LEFT JOIN query.checkpoints c ON c.consumer = n.consumer
      CROSS JOIN LATERAL (SELECT count(*) AS events_behind, min(e.occurred_at) AS oldest FROM event_store.events e
        WHERE (e.transaction_id, e.global_sequence) > (coalesce(c.transaction_id, '0'::xid8), coalesce(c.global_sequence, 0))
          AND e.transaction_id < pg_snapshot_xmin(pg_current_snapshot())) AS pending`,
};

async function timed(work: () => Promise<unknown>): Promise<{ p50: number; max: number }> {
  await work(); // warm the cache and the plan
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    await work();
    samples.push(performance.now() - started);
  }
  samples.sort((a, b) => a - b);
  return { p50: round(samples[Math.floor(RUNS / 2)]!), max: round(samples.at(-1)!) };
}

const round = (ms: number) => Math.round(ms * 100) / 100;

const database = await startBenchDatabase();
const db = new pg.Client({ connectionString: database.url });
try {
  await db.connect();
  console.log(`machine: ${JSON.stringify(database.machine)}`);
  let started = performance.now();
  // One stream per 10 events; transactions of 10,000 events, as a busy store would commit them.
  for (let from = 0; from < EVENTS; from += 10_000) {
    await db.query(
      `INSERT INTO event_store.events (aggregate_id, aggregate_type, event_type, event_data, event_version)
       SELECT md5((i / 10)::text)::uuid, 'bench', ($3::text[])[1 + i % array_length($3::text[], 1)], '{}'::jsonb, 1 + i % 10
       FROM generate_series($1::bigint, $2::bigint - 1) AS i`,
      [from, Math.min(from + 10_000, EVENTS), TYPES],
    );
  }
  await db.query("VACUUM ANALYZE event_store.events");
  console.log(`loaded ${EVENTS} events in ${Math.round(performance.now() - started)} ms`);

  const consumers = [...CONSUMER_NAMES];
  const before = {
    eventStoreStats: await timed(() => db.query(SCANS.eventStoreStats)),
    systemStatistics: await timed(() => db.query(SCANS.systemStatistics)),
    projectionStatus: await timed(() => db.query(SCANS.projectionStatus, [consumers])),
  };

  started = performance.now();
  const result = await runUntilCaughtUp(async () => db, statsConsumer(), { batchSize: 5_000 });
  const catchUpMs = performance.now() - started;
  console.log(`stats consumer counted ${result.processed} events in ${Math.round(catchUpMs)} ms (${Math.round(result.processed / (catchUpMs / 1000))} events/s, batches of 5,000)`);

  const counts = await readEventCounts(db);
  if (counts.total !== EVENTS) throw new Error(`stats counted ${counts.total}, not ${EVENTS}`);
  const after = {
    eventStoreStats: await timed(() => readEventCounts(db)),
    systemStatistics: await timed(async () => systemStatistics(await readEventCounts(db))),
    projectionStatus: await timed(() => readProjectionStatus(db, consumers)),
  };
  // projectionStatus above has every consumer at the start of the log (the worst case: a
  // stopped or rebuilding consumer); caught up, the old query counts next to nothing.
  await db.query(
    `INSERT INTO query.checkpoints (consumer, transaction_id, global_sequence, processed_count)
     SELECT n, s.transaction_id, s.global_sequence, s.processed_count FROM unnest($1::text[]) AS n, query.checkpoints s WHERE s.consumer = 'stats'
     ON CONFLICT (consumer) DO UPDATE SET transaction_id = excluded.transaction_id, global_sequence = excluded.global_sequence, processed_count = excluded.processed_count`,
    [consumers],
  );
  const caughtUp = { scan: await timed(() => db.query(SCANS.projectionStatus, [consumers])), model: await timed(() => readProjectionStatus(db, consumers)) };
  console.log(`\n${EVENTS} events, ${RUNS} runs each, ms per request (p50 / max), one warm connection:`);
  const line = (name: string, scan: { p50: number; max: number }, model: { p50: number; max: number }) =>
    console.log(`${name.padEnd(30)} scan ${scan.p50} / ${scan.max}   stats read model ${model.p50} / ${model.max}   (${(scan.p50 / model.p50).toFixed(scan.p50 >= model.p50 * 10 ? 0 : 2)}x)`);
  line("eventStoreStats", before.eventStoreStats, after.eventStoreStats);
  line("systemStatistics", before.systemStatistics, after.systemStatistics);
  line("projectionStatus, all behind", before.projectionStatus, after.projectionStatus);
  line("projectionStatus, caught up", caughtUp.scan, caughtUp.model);
} finally {
  await db.end().catch(() => undefined);
  await database.stop();
}
