import { sql, type SQL } from "drizzle-orm";
import { PgDialect } from "drizzle-orm/pg-core";
import {
  AlongsideRowCountError,
  IdempotencyKeyReusedError,
  StreamTypeMismatchError,
  WrongExpectedVersionError,
  isPostgresError,
} from "./errors.ts";
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

type AppendParams = [streamId: string, streamType: string, expected: number | null, events: string, idempotency: string | null];

function appendStatement([streamId, streamType, expected, events, idempotency]: AppendParams): SQL {
  return sql`SELECT stream_version, transaction_id::text AS transaction_id, global_sequences::text[] AS global_sequences
    FROM event_store.append_to_stream(${streamId}::uuid, ${streamType}, ${expected}::integer, ${events}::jsonb, ${idempotency}::jsonb)`;
}

/**
 * The statement's text with $1..$5, built once: most appends have nothing
 * alongside, and then it is all they send, as a named statement so that each
 * connection parses and plans it once (planning it took about a tenth of the
 * append's server time, docs/BENCHMARKS.md).
 */
const APPEND_TEXT = dialect.sqlToQuery(appendStatement(["", "", null, "", null])).sql;
const APPEND_STATEMENT_NAME = "event_store_append_to_stream";

/** The unique constraint a racing append of the same stream would violate. */
const STREAM_VERSION_CONSTRAINT = "events_aggregate_version_unique";

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
  const idempotency = options.idempotency?.length ? JSON.stringify(options.idempotency) : null;
  const params: AppendParams = [streamId, streamType, encodeExpected(expected), JSON.stringify(rows), idempotency];
  const alongside = options.alongside ?? [];

  let row: AppendRow | undefined;
  try {
    if (alongside.length === 0) {
      ({ rows: [row] } = await db.query<AppendRow>({ name: APPEND_STATEMENT_NAME, text: APPEND_TEXT, values: params }));
    } else {
      const query = dialect.sqlToQuery(withAlongside(appendStatement(params), alongside));
      ({ rows: [row] } = await db.query<AppendRow>(query.sql, query.params));
    }
  } catch (error) {
    throw translateAppendError(error, streamId, streamType, expected);
  }
  if (!row) throw new Error("append_to_stream returned no row");

  const globalSequences = row.global_sequences.map(Number);
  const last = globalSequences.at(-1);
  return {
    nextExpectedVersion: row.stream_version,
    position: last === undefined || !row.transaction_id ? null : encodePosition({ transactionId: row.transaction_id, globalSequence: last }),
    globalSequences,
    alongsideRowCounts: (row.alongside_rows ?? []).map(Number),
  };
}

interface AppendRow {
  stream_version: number;
  transaction_id: string | null;
  global_sequences: string[];
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

// The append runs first (the main query reads it); each alongside statement is
// then forced to run by counting its rows. MATERIALIZED: an inlined SELECT
// would be planned for count(*) alone, and its select list (a check that
// raises, say) never evaluated. The counts are checked in the same statement,
// so a short count rolls everything back.
function withAlongside(append: SQL, alongside: readonly AlongsideStatement[]): SQL {
  const names = alongside.map((_, i) => sql.raw(`alongside_${i}`));
  const ctes = alongside.map(({ statement }, i) => sql`${names[i]} AS MATERIALIZED (${statement})`);
  const counts = names.map((name) => sql`(SELECT count(*) FROM ${name})`);
  const minimum = alongside.map(({ minRows }) => sql`${minRows ?? null}::bigint`);
  return sql`WITH appended AS (${append}), ${sql.join(ctes, sql`, `)}
    SELECT appended.*, event_store.check_alongside_rows(ARRAY[${sql.join(counts, sql`, `)}]::bigint[], ARRAY[${sql.join(minimum, sql`, `)}]::bigint[])
      AS alongside_rows FROM appended`;
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
  // Two writers raced past the stream lock (it cannot happen through the
  // function, but the constraint is the last line of defence). A duplicate in
  // an alongside statement is that statement's error, not a version conflict.
  if (isPostgresError(error, "23505") && error.constraint === STREAM_VERSION_CONSTRAINT) {
    return new WrongExpectedVersionError(streamId, expected, -1);
  }
  return error;
}
