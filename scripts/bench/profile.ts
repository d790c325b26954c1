// `--profile`: where the server spends an append. While a trial runs, sample
// what every busy backend is waiting on; after it, list the statements that
// took the most time (pg_stat_statements, nested statements included).
// Profiling costs throughput itself, so its figures are not the benchmark's.
import pg from "pg";

export interface Profile {
  /** Share of busy-backend samples per wait ("CPU" = running, not waiting). */
  waits: [string, number][];
  /** WAL written per event (warm-up included): bytes, records, full-page images. */
  wal: { bytes: number; records: number; fullPages: number };
  statements: { calls: number; totalMs: number; meanMs: number; plans: number; meanPlanMs: number; query: string }[];
}

const SAMPLE_EVERY_MS = 5;

export async function profiled<T extends { totalEvents: number }>(
  url: string,
  run: () => Promise<T>,
): Promise<{ result: T; profile: Profile }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query("SELECT pg_stat_statements_reset()");
    const walBefore = await walPosition(client);
    const counts = new Map<string, number>();
    let running = true;
    const sampling = (async () => {
      while (running) {
        const { rows } = await client.query<{ wait: string; n: string }>(
          `SELECT CASE WHEN state = 'idle in transaction' THEN 'idle in transaction (client)'
                       ELSE coalesce(wait_event_type || ':' || wait_event, 'CPU') END AS wait, count(*) AS n
           FROM pg_stat_activity
           WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()
             AND state IN ('active', 'idle in transaction')
           GROUP BY 1`,
        );
        for (const { wait, n } of rows) counts.set(wait, (counts.get(wait) ?? 0) + Number(n));
        await new Promise((resolve) => setTimeout(resolve, SAMPLE_EVERY_MS));
      }
    })();
    let result: T;
    try {
      result = await run();
    } finally {
      running = false;
      await sampling;
    }
    // Backends report their WAL counters when they exit; give them a moment.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const walAfter = await walPosition(client);
    const perEvent = (value: number) => value / result.totalEvents;
    const wal = {
      bytes: perEvent(walAfter.bytes - walBefore.bytes),
      records: perEvent(walAfter.records - walBefore.records),
      fullPages: perEvent(walAfter.fullPages - walBefore.fullPages),
    };
    const total = [...counts.values()].reduce((sum, n) => sum + n, 0) || 1;
    const waits = [...counts.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([wait, n]): [string, number] => [wait, n / total]);
    const { rows } = await client.query<{ calls: string; total_ms: number; mean_ms: number; plans: string; mean_plan_ms: number; query: string }>(
      `SELECT calls, total_exec_time AS total_ms, mean_exec_time AS mean_ms, plans, mean_plan_time AS mean_plan_ms,
              left(regexp_replace(query, '\\s+', ' ', 'g'), 110) AS query
       FROM pg_stat_statements
       WHERE query NOT ILIKE '%pg_stat_%'
       ORDER BY total_exec_time DESC LIMIT 8`,
    );
    const statements = rows.map((row) => ({
      calls: Number(row.calls),
      totalMs: row.total_ms,
      meanMs: row.mean_ms,
      plans: Number(row.plans),
      meanPlanMs: row.mean_plan_ms,
      query: row.query,
    }));
    return { result, profile: { waits, wal, statements } };
  } finally {
    await client.end();
  }
}

async function walPosition(client: pg.Client) {
  const { rows } = await client.query<{ bytes: string; records: string; full_pages: string }>(
    `SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0') AS bytes, wal_records AS records, wal_fpi AS full_pages FROM pg_stat_wal`,
  );
  const row = rows[0];
  return { bytes: Number(row?.bytes), records: Number(row?.records), fullPages: Number(row?.full_pages) };
}

export function formatProfile(title: string, profile: Profile): string {
  const waits = profile.waits
    .slice(0, 8)
    .map(([wait, share]) => `    ${(share * 100).toFixed(1).padStart(5)}%  ${wait}`)
    .join("\n");
  const statements = profile.statements
    .map(
      (s) =>
        `    ${String(s.calls).padStart(7)} calls ${s.meanMs.toFixed(3).padStart(7)} ms mean, ${String(s.plans).padStart(7)} plans ${s.meanPlanMs.toFixed(3)} ms mean, ` +
        `${s.totalMs.toFixed(0).padStart(6)} ms total  ${s.query}`,
    )
    .join("\n");
  const { wal } = profile;
  return (
    `${title}\n  WAL per event: ${wal.bytes.toFixed(0)} bytes, ${wal.records.toFixed(2)} records, ${wal.fullPages.toFixed(3)} full-page images\n` +
    `  busy backends by wait (sampled every ${SAMPLE_EVERY_MS} ms):\n${waits}\n  top statements:\n${statements}\n`
  );
}
