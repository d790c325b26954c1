import { sql, type SQL } from "drizzle-orm";
import { PgDialect } from "drizzle-orm/pg-core";
import {
  AlongsideRowCountError,
  IdempotencyKeyReusedError,
  StreamTypeMismatchError,
  WrongExpectedVersionError,
  isPostgresError,
} from "./errors.ts";
import { STREAM_VERSION_TEXT, appendText, type AppendShape } from "./append-statement.ts";
import { encodePosition } from "./position.ts";
import type { ExpectedVersion, NewEvent, Queryable } from "./types.ts";

export interface IdempotencyRecord {
  key: string;
  /** What a retry of the command gets back instead of running it again. */
  result?: unknown;
}

/** A statement that commits with the append or not at all. */
export interface AlongsideStatement {
  /** Must return rows (SELECT, or INSERT/UPDATE ... RETURNING): they are counted. */
  statement: SQL;
  /** Fewer rows than this fails the whole append (AlongsideRowCountError). */
  minRows?: number;
}

export interface AppendOptions {
  /** Default "any". */
  expectedVersion?: ExpectedVersion;
  /** Stored UNIQUE in the same transaction: a reused key appends nothing. */
  idempotency?: IdempotencyRecord[];
  /**
   * Statements that commit with the append or not at all, such as the command
   * table row or a row-locking re-check of another aggregate. Their row counts
   * come back in `alongsideRowCounts`. They run after the events are inserted.
   */
  alongside?: readonly AlongsideStatement[];
}

export interface AppendResult {
  nextExpectedVersion: number;
  /** Position of the last appended event (for read-your-writes). */
  position: string | null;
  globalSequences: number[];
  alongsideRowCounts: number[];
}

const dialect = new PgDialect();

type AppendParams = [streamId: string, streamType: string, expected: number | null, events: string, idempotency?: string];

/** The unique constraint a racing append of the same stream violates. */
const STREAM_VERSION_CONSTRAINT = "events_aggregate_version_unique";
/**
 * How often an `any` append goes on after a racing append took its version.
 * Each race has a winner, so writers on one hot stream all land; the bound
 * only stops a writer that keeps losing (8 writers on one stream needed more
 * than 10 in the bench).
 */
const ANY_RETRIES = 100;

/** Appends a batch of events to one stream in a single statement (one round trip). */
export async function appendToStream(
  db: Queryable,
  streamType: string,
  streamId: string,
  events: readonly NewEvent[],
  options: AppendOptions = {},
): Promise<AppendResult> {
  const expected = options.expectedVersion ?? "any";
  const rows = events.map(({ type, data, metadata, schemaVersion }) => ({ type, data, metadata, schemaVersion }));
  const params: AppendParams = [streamId, streamType, encodeExpected(expected), JSON.stringify(rows)];
  if (options.idempotency?.length) params.push(JSON.stringify(options.idempotency));
  const shape = { hasEvents: rows.length > 0, hasKeys: params.length === 5 };
  const alongside = options.alongside ?? [];

  for (let retries = 0; ; retries++) {
    try {
      return await sendAppend(db, params, shape, alongside);
    } catch (error) {
      if (!(isPostgresError(error, "23505") && error.constraint === STREAM_VERSION_CONSTRAINT)) {
        throw translateAppendError(error, streamId, streamType, expected);
      }
      // A racing append took the version this one read as free (this
      // statement's snapshot predates it). Ask the stream's version now; in a
      // caller's transaction that the error aborted, or one whose snapshot is
      // older (REPEATABLE READ), it cannot be known: -1.
      const actual = await streamVersionAfterConflict(db, streamId);
      if (expected !== "any" || actual < 0 || retries >= ANY_RETRIES) throw new WrongExpectedVersionError(streamId, expected, actual);
    }
  }
}

async function sendAppend(db: Queryable, params: AppendParams, shape: AppendShape, alongside: readonly AlongsideStatement[]): Promise<AppendResult> {
  const { rows } = await (alongside.length === 0
    ? db.query<AppendRow>({ name: statementName(shape), text: appendText(shape), values: params })
    : sendWithAlongside(db, withAlongside(params, shape, alongside)));
  const last = rows.at(-1);
  if (!last) throw new Error("the append returned no row");
  return {
    nextExpectedVersion: last.stream_version,
    position: last.global_sequence === null ? null : encodePosition({ transactionId: last.transaction_id!, globalSequence: Number(last.global_sequence) }),
    globalSequences: rows.flatMap((row) => (row.global_sequence === null ? [] : [Number(row.global_sequence)])),
    alongsideRowCounts: (last.alongside_rows ?? []).map(Number),
  };
}

/**
 * Without statements alongside, each shape's text is fixed, and is sent as a
 * named statement: each connection parses and plans it once (planning took
 * about a tenth of the append's server time, docs/BENCHMARKS.md).
 */
function statementName({ hasEvents, hasKeys }: AppendShape): string {
  return `event_store_append${hasEvents ? "_events" : ""}${hasKeys ? "_keys" : ""}`;
}

/**
 * With statements alongside, the text is fixed per aggregate and shape (a hot
 * aggregate sends the same one batch after batch), so it is named by a hash
 * of itself: planned once per connection instead of on every append. A
 * connection keeps at most this many (each costs the server memory); past
 * them, new shapes go unnamed. A hash collision is loud: the driver refuses
 * one name with two texts.
 */
const NAMED_ALONGSIDE_SHAPES = 64;
const namedShapes = new WeakMap<Queryable, Set<string>>();

function sendWithAlongside(db: Queryable, { text, values }: { text: string; values: unknown[] }): Promise<{ rows: AppendRow[] }> {
  let names = namedShapes.get(db);
  if (!names) namedShapes.set(db, (names = new Set()));
  const name = `event_store_append_${textHash(text)}`;
  if (!names.has(name)) {
    if (names.size >= NAMED_ALONGSIDE_SHAPES) return db.query<AppendRow>(text, values);
    names.add(name);
  }
  return db.query<AppendRow>({ name, text, values });
}

/** cyrb53: a 53-bit string hash, enough to tell a connection's few shapes apart. */
function textHash(text: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36);
}

async function streamVersionAfterConflict(db: Queryable, streamId: string): Promise<number> {
  try {
    const { rows } = await db.query<{ version: number }>(STREAM_VERSION_TEXT, [streamId]);
    return rows[0]?.version ?? -1;
  } catch (error) {
    if (isPostgresError(error, "25P02")) return -1; // the caller's transaction is aborted
    throw error;
  }
}

/** One per appended event (one row without events). */
interface AppendRow {
  stream_version: number;
  transaction_id: string | null;
  global_sequence: string | null;
  alongside_rows?: (string | number)[];
}

function encodeExpected(expected: ExpectedVersion): number | null {
  switch (expected) {
    case "any":
      return null;
    case "stream_exists":
      return -1;
    case "no_stream":
      return 0;
    default:
      if (!Number.isInteger(expected) || expected < 0) throw new RangeError(`invalid expected version ${expected}`);
      return expected;
  }
}

// Each alongside statement is forced to run by counting its rows, after the
// append's CTEs. MATERIALIZED: an inlined SELECT would be planned for count(*)
// alone, and its select list (a check that raises, say) never evaluated. The
// counts are checked in the same statement, so a short count rolls everything
// back. Their parameters follow the append's.
function withAlongside(params: AppendParams, shape: AppendShape, alongside: readonly AlongsideStatement[]): { text: string; values: unknown[] } {
  const names = alongside.map((_, i) => sql.raw(`alongside_${i}`));
  const ctes = alongside.map(({ statement }, i) => sql`, ${names[i]} AS MATERIALIZED (${statement})`);
  const counts = names.map((name) => sql`(SELECT count(*) FROM ${name})`);
  const minimum = alongside.map(({ minRows }) => sql`${minRows ?? null}::bigint`);
  const check = sql`, event_store.check_alongside_rows(ARRAY[${sql.join(counts, sql`, `)}]::bigint[], ARRAY[${sql.join(minimum, sql`, `)}]::bigint[]) AS alongside_rows`;
  const extraCtes = renderAfter(params.length, sql.join(ctes));
  const extraColumns = renderAfter(params.length + extraCtes.params.length, check);
  const text = appendText({ ...shape, alongside: { ctes: extraCtes.sql, columns: extraColumns.sql } });
  return { text, values: [...params, ...extraCtes.params, ...extraColumns.params] };
}

/** Renders a fragment whose parameters come after `count` others ($1 becomes $count+1). */
function renderAfter(count: number, fragment: SQL): { sql: string; params: unknown[] } {
  const { sql: text, params } = dialect.sqlToQuery(fragment);
  return { sql: text.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + count}`), params };
}

function translateAppendError(error: unknown, streamId: string, streamType: string, expected: ExpectedVersion): unknown {
  if (isPostgresError(error, "ES001")) {
    const { actual } = JSON.parse(error.detail ?? "{}") as { actual: number };
    return new WrongExpectedVersionError(streamId, expected, actual);
  }
  if (isPostgresError(error, "ES002")) {
    return new IdempotencyKeyReusedError(JSON.parse(error.detail ?? "[]") as string[]);
  }
  if (isPostgresError(error, "ES003")) {
    const { counts, minimum } = JSON.parse(error.detail ?? "{}") as { counts: number[]; minimum: (number | null)[] };
    return new AlongsideRowCountError(counts, minimum);
  }
  if (isPostgresError(error, "ES004")) {
    const { actual } = JSON.parse(error.detail ?? "{}") as { actual: string };
    return new StreamTypeMismatchError(streamId, streamType, actual);
  }
  return error;
}
