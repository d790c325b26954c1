import type { MessagePayload, PubSubMessage } from "../subscriptions/message-cache.ts";
import { TOPICS } from "../subscriptions/publisher.ts";
import { DURATION_BUCKETS_MS, type Execution, type ExecutionKind, type ExecutionReport } from "./execution.ts";

/**
 * A broadcaster shard's record of executed commands and queries, in its
 * SQLite storage beside the message cache: the newest N of each kind, totals
 * by root field and outcome with duration histograms (for /metrics), and
 * arrivals per second (for rates). Every table is bounded: the newest rows by
 * count, totals by the schema's fields and the error codes, seconds by a window.
 */

export type ExecutionTotals = { kind: ExecutionKind; field: string; outcome: string; count: number; durationSumMs: number; buckets: number[] };

export type DashboardCounts = {
  commandsExecuted: number;
  queriesExecuted: number;
  errors: number;
  commandsPerSecond: number;
  queriesPerSecond: number;
  errorsPerSecond: number;
  /** Sagas started minus sagas ended, from the sagas topic this shard has seen. */
  sagasActive: number;
};

const RATE_WINDOW_S = 60;
export const TOPIC_OF: Record<ExecutionKind, string> = { command: TOPICS.commands, query: TOPICS.queries };
const SAGA_ENDS = new Set(["order_saga.completed", "order_saga.failed", "order_saga.compensated"]);

export class ExecutionLog {
  #last: { ms: number; n: number } | undefined;

  constructor(
    private readonly sql: SqlStorage,
    private readonly capacity: number,
  ) {
    sql.exec(`CREATE TABLE IF NOT EXISTS execution (
      seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL, kind TEXT NOT NULL, name TEXT NOT NULL, field TEXT NOT NULL, duration_ms REAL NOT NULL,
      success INTEGER NOT NULL, error_code TEXT, correlation_id TEXT, at TEXT NOT NULL)`);
    sql.exec("CREATE INDEX IF NOT EXISTS execution_kind ON execution (kind, seq)");
    sql.exec(`CREATE TABLE IF NOT EXISTS execution_total (
      kind TEXT NOT NULL, field TEXT NOT NULL, outcome TEXT NOT NULL, count INTEGER NOT NULL, duration_sum_ms REAL NOT NULL,
      buckets TEXT NOT NULL, PRIMARY KEY (kind, field, outcome))`);
    sql.exec("CREATE TABLE IF NOT EXISTS execution_second (kind TEXT NOT NULL, second INTEGER NOT NULL, n INTEGER NOT NULL, errors INTEGER NOT NULL, PRIMARY KEY (kind, second))");
    sql.exec("CREATE TABLE IF NOT EXISTS saga_tally (name TEXT PRIMARY KEY, n INTEGER NOT NULL)");
  }

  /**
   * Stores the reports under ids that grow on each topic; returns them as
   * messages for the cache and the subscribers. A batch costs one INSERT per
   * report, and its totals, rates and trimming once per kind and field.
   */
  record(reports: readonly ExecutionReport[], now = Date.now()): PubSubMessage[] {
    const second = Math.floor(now / 1000);
    const messages = reports.map((report) => {
      const execution = { ...report, id: this.#nextId(now) };
      this.sql.exec(
        "INSERT INTO execution (id, kind, name, field, duration_ms, success, error_code, correlation_id, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        execution.id, report.kind, report.name, report.field, report.durationMs, report.success ? 1 : 0, report.errorCode, report.correlationId, report.at,
      );
      return toMessage(execution);
    });
    for (const group of groupBy(reports, (report) => [report.kind, report.field, outcomeOf(report)])) this.#addToTotals(group);
    for (const ofKind of groupBy(reports, (report) => [report.kind])) {
      const kind = ofKind[0]!.kind;
      this.sql.exec(
        `INSERT INTO execution_second (kind, second, n, errors) VALUES (?, ?, ?, ?)
         ON CONFLICT (kind, second) DO UPDATE SET n = n + excluded.n, errors = errors + excluded.errors`,
        kind, second, ofKind.length, ofKind.filter((report) => !report.success).length,
      );
      // Through the (kind, seq) index: finds the newest row past the capacity, not every row.
      this.sql.exec(
        "DELETE FROM execution WHERE kind = ? AND seq <= (SELECT seq FROM execution WHERE kind = ? ORDER BY seq DESC LIMIT 1 OFFSET ?)",
        kind, kind, this.capacity,
      );
    }
    if (reports.length > 0) this.sql.exec("DELETE FROM execution_second WHERE second <= ?", second - RATE_WINDOW_S);
    return messages;
  }

  /** Keeps the count of running sagas from the saga messages this shard accepted (each once). */
  observe(accepted: readonly PubSubMessage[]): void {
    for (const message of accepted) {
      if (message.topic !== TOPICS.sagas) continue;
      const type = String(message.payload["eventType"]);
      const delta = type === "order_saga.started" ? 1 : SAGA_ENDS.has(type) ? -1 : 0;
      if (delta !== 0) this.sql.exec("INSERT INTO saga_tally (name, n) VALUES ('active', ?) ON CONFLICT (name) DO UPDATE SET n = n + excluded.n", delta);
    }
  }

  /** The newest `limit` executions of a kind, newest first. */
  recent(kind: ExecutionKind, limit: number): Execution[] {
    return this.sql.exec<ExecutionRow>("SELECT * FROM execution WHERE kind = ? ORDER BY seq DESC LIMIT ?", kind, limit).toArray().map(toExecution);
  }

  totals(): ExecutionTotals[] {
    return this.sql
      .exec<{ kind: ExecutionKind; field: string; outcome: string; count: number; duration_sum_ms: number; buckets: string }>("SELECT * FROM execution_total ORDER BY kind, field, outcome")
      .toArray()
      .map((row) => ({ kind: row.kind, field: row.field, outcome: row.outcome, count: row.count, durationSumMs: row.duration_sum_ms, buckets: JSON.parse(row.buckets) as number[] }));
  }

  dashboard(now = Date.now()): DashboardCounts {
    const total = (kind: ExecutionKind) =>
      this.sql.exec<{ n: number; errors: number }>(
        "SELECT coalesce(sum(count), 0) AS n, coalesce(sum(CASE WHEN outcome = 'ok' THEN 0 ELSE count END), 0) AS errors FROM execution_total WHERE kind = ?", kind,
      ).one();
    const rate = this.sql
      .exec<{ kind: ExecutionKind; n: number; errors: number }>("SELECT kind, sum(n) AS n, sum(errors) AS errors FROM execution_second WHERE second > ? GROUP BY kind", Math.floor(now / 1000) - RATE_WINDOW_S)
      .toArray();
    const perSecond = (pick: (row: (typeof rate)[number]) => number) => rate.reduce((sum, row) => sum + pick(row), 0) / RATE_WINDOW_S;
    const [commands, queries] = [total("command"), total("query")];
    const sagas = this.sql.exec<{ n: number }>("SELECT n FROM saga_tally WHERE name = 'active'").toArray()[0]?.n ?? 0;
    return {
      commandsExecuted: commands.n,
      queriesExecuted: queries.n,
      errors: commands.errors + queries.errors,
      commandsPerSecond: perSecond((row) => (row.kind === "command" ? row.n : 0)),
      queriesPerSecond: perSecond((row) => (row.kind === "query" ? row.n : 0)),
      errorsPerSecond: perSecond((row) => row.errors),
      sagasActive: Math.max(0, sagas),
    };
  }

  /** Adds reports of one kind, field and outcome to their totals and histogram. */
  #addToTotals(reports: readonly ExecutionReport[]): void {
    const { kind, field } = reports[0]!;
    const outcome = outcomeOf(reports[0]!);
    const row = this.sql.exec<{ buckets: string }>("SELECT buckets FROM execution_total WHERE kind = ? AND field = ? AND outcome = ?", kind, field, outcome).toArray()[0];
    const buckets = row ? (JSON.parse(row.buckets) as number[]) : DURATION_BUCKETS_MS.map(() => 0);
    for (const report of reports) {
      DURATION_BUCKETS_MS.forEach((bound, i) => {
        if (report.durationMs <= bound) buckets[i]! += 1;
      });
    }
    const durationMs = reports.reduce((sum, report) => sum + report.durationMs, 0);
    this.sql.exec(
      `INSERT INTO execution_total (kind, field, outcome, count, duration_sum_ms, buckets) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (kind, field, outcome) DO UPDATE SET count = count + excluded.count, duration_sum_ms = duration_sum_ms + excluded.duration_sum_ms, buckets = excluded.buckets`,
      kind, field, outcome, reports.length, durationMs, JSON.stringify(buckets),
    );
  }

  /**
   * "<ms>-<n>", in the log position's format so the message cache compares it
   * like any id: the shard assigns it (one thread), so it grows on every
   * topic even when reports from several isolates arrive out of order.
   */
  #nextId(now: number): string {
    this.#last ??= lastId(this.sql);
    this.#last = now > this.#last.ms ? { ms: now, n: 0 } : { ms: this.#last.ms, n: this.#last.n + 1 };
    return `${this.#last.ms}-${this.#last.n}`;
  }
}

function outcomeOf(report: ExecutionReport): string {
  return report.success ? "ok" : (report.errorCode ?? "INTERNAL");
}

/** The items in groups of equal keys, each group in the items' order. */
function groupBy<T>(items: readonly T[], key: (item: T) => readonly string[]): T[][] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = JSON.stringify(key(item));
    groups.get(k)?.push(item) ?? groups.set(k, [item]);
  }
  return [...groups.values()];
}

function lastId(sql: SqlStorage): { ms: number; n: number } {
  const row = sql.exec<{ id: string }>("SELECT id FROM execution ORDER BY seq DESC LIMIT 1").toArray()[0];
  const [ms, n] = (row?.id ?? "0-0").split("-").map(Number) as [number, number];
  return { ms, n };
}

type ExecutionRow = { id: string; kind: ExecutionKind; name: string; field: string; duration_ms: number; success: number; error_code: string | null; correlation_id: string | null; at: string };

function toExecution(row: ExecutionRow): Execution {
  return {
    id: row.id, kind: row.kind, name: row.name, field: row.field, durationMs: row.duration_ms,
    success: row.success === 1, errorCode: row.error_code, correlationId: row.correlation_id, at: row.at,
  };
}

function toMessage(execution: Execution): PubSubMessage {
  const { id, kind, at, ...rest } = execution;
  const payload: MessagePayload = { ...rest, at };
  return { id, topic: TOPIC_OF[kind], payload, timestamp: at, source: kind === "command" ? "command-bus" : "query-service" };
}
