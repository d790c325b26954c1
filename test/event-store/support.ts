// Helpers shared by the event-store tests, which all run against the real
// Postgres of the test run, alongside other test files writing at the same time.
import type { Pool, PoolClient } from "@neondatabase/serverless";
import {
  START,
  comparePositions,
  decodePosition,
  readGlobalLog,
  readHeadPosition,
  type LogPosition,
  type Queryable,
  type StoredEvent,
  type Upcast,
} from "../../src/event-store/index.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Where a reader that wants only what comes next should start. */
export async function headPosition(db: Queryable): Promise<LogPosition> {
  const head = await readHeadPosition(db);
  return head ? decodePosition(head) : START;
}

/** The head position once a gap-safe reader can see `position` (other transactions may hold it back briefly). */
export async function headReaching(db: Queryable, position: string, timeoutMs = 5_000): Promise<LogPosition> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const head = await headPosition(db);
    if (comparePositions(head, decodePosition(position)) >= 0) return head;
    if (Date.now() > deadline) throw new Error(`the head stayed at ${head.transactionId}-${head.globalSequence}, before ${position}`);
    await sleep(5);
  }
}

/**
 * Runs `work` on one connection of the pool. Pool.query closes the connection
 * when a query fails (pg-pool), and reconnecting costs far more than the
 * query, so tests that expect many failures hold a connection instead.
 */
export async function withConnection<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    return await work(client);
  } finally {
    client.release();
  }
}

/** A connection with an open transaction; `end` commits or rolls back and releases it. */
export async function openTransaction(pool: Pool): Promise<{ client: PoolClient; end(outcome: "COMMIT" | "ROLLBACK"): Promise<void> }> {
  const client = await pool.connect();
  await client.query("BEGIN");
  return {
    client,
    async end(outcome) {
      try {
        await client.query(outcome);
      } finally {
        client.release();
      }
    },
  };
}

export async function rowCount(db: Queryable, query: string, params: unknown[]): Promise<number> {
  const { rows } = await db.query<{ count: string }>(`SELECT count(*) FROM (${query}) AS counted`, params);
  return Number(rows[0]!.count);
}

/**
 * Follows the global log from a position, the way a consumer does, and keeps
 * the events of the streams a test watches (other test files write too).
 */
export class GlobalLogFollower {
  /** Events of the watched streams, in the order they were read. */
  readonly seen: StoredEvent[] = [];
  /** Problems a consumer would suffer from, found while reading (should stay empty). */
  readonly anomalies: string[] = [];
  position: LogPosition;
  private readonly limit: number;
  private readonly upcast: Upcast | undefined;

  constructor(
    private readonly db: Queryable,
    private readonly streamIds: ReadonlySet<string>,
    options: { after: LogPosition; limit?: number; upcast?: Upcast },
  ) {
    this.position = options.after;
    this.limit = options.limit ?? 1000;
    this.upcast = options.upcast;
  }

  /** Reads one page; returns how many events (of any stream) it held. */
  async poll(): Promise<number> {
    const page = await readGlobalLog(this.db, { after: this.position, limit: this.limit, upcast: this.upcast });
    for (const event of page.events) {
      const position = { transactionId: event.transactionId, globalSequence: event.globalSequence };
      if (comparePositions(position, this.position) <= 0) {
        this.anomalies.push(`position ${event.position} read after ${this.position.transactionId}-${this.position.globalSequence}`);
      }
      this.position = position;
      if (this.streamIds.has(event.streamId)) this.seen.push(event);
    }
    if (comparePositions(page.position, this.position) !== 0) this.anomalies.push("the page's position is not its last event's");
    return page.events.length;
  }

  /** Polls until `done()` holds after a poll that found nothing new, or fails after `timeoutMs`. */
  async readUntil(done: () => boolean, timeoutMs = 10_000): Promise<StoredEvent[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const read = await this.poll();
      if (read < this.limit && done()) return this.seen;
      if (Date.now() > deadline) throw new Error(`global log reader timed out with ${this.seen.length} watched events seen`);
      if (read === 0) await sleep(5);
    }
  }
}
