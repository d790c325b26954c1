// The append's SQL: plain statements, no server function on the way (migration
// 0012; a PL/pgSQL call cost about 2.5 times a plain insert's server CPU,
// docs/BENCHMARKS.md). Parameters: $1 stream id, $2 stream type, $3 expected
// version (NULL any, -1 the stream exists, 0 no stream, n exactly n), $4 the
// events as a jsonb array, $5 the idempotency keys ([{key, result}]) when
// there are any (then the statements alongside take $6 on, otherwise $5 on).
//
// What the stream lock of append_to_stream gave, these keep without it:
// - Two appends of one stream read the same last event and insert the same
//   version: UNIQUE (aggregate_id, event_version) refuses the later one (23505,
//   which the client turns into WrongExpectedVersionError). No event is lost
//   or duplicated.
// - A stream's later append has a larger transaction id, so the global log,
//   ordered by it, keeps stream order: an auto-committed append takes its id
//   at its insert, after its snapshot, and so after every append it read as
//   committed. A caller's transaction that took its id earlier (by any write)
//   may be older than the stream's last event: that is refused (40001).
// A failed check calls event_store.refuse_append, the only way plain SQL can
// raise; only that branch of the CASE is a function call.

/** The stream's last event: its version, its type, and the transaction that appended it. */
const LAST_EVENT = `LEFT JOIN LATERAL (
    SELECT l.event_version, l.aggregate_type, l.transaction_id FROM event_store.events l
    WHERE l.aggregate_id = $1::uuid ORDER BY l.event_version DESC LIMIT 1) AS last ON true`;

/** The stream's version if every check passes; otherwise the statement raises. */
const CHECKED_VERSION = `CASE
      WHEN jsonb_array_length($4::jsonb) > 0 AND last.aggregate_type <> $2::text THEN event_store.refuse_append('ES004',
        format('stream %s belongs to %s, not %s', $1::uuid, last.aggregate_type, $2::text),
        json_build_object('expected', $2::text, 'actual', last.aggregate_type)::text)::integer
      WHEN $3::integer = -1 AND last.event_version IS NULL OR $3::integer >= 0 AND coalesce(last.event_version, 0) <> $3::integer
        THEN event_store.refuse_append('ES001', format('stream %s is at version %s, expected %s', $1::uuid, coalesce(last.event_version, 0), $3::integer),
        json_build_object('expected', $3::integer, 'actual', coalesce(last.event_version, 0))::text)::integer
      WHEN last.transaction_id > pg_current_xact_id_if_assigned() THEN event_store.refuse_append('40001',
        format('stream %s was appended to by a transaction newer than this one', $1::uuid), NULL)::integer
      ELSE coalesce(last.event_version, 0) END`;

const EVENT_COLUMNS = "aggregate_id, aggregate_type, event_type, event_data, metadata, event_version, schema_version";

/**
 * One row per appended event: its version, transaction id and sequence. The
 * checks run as each event's version is computed.
 */
const INSERT_EVENTS = `INSERT INTO event_store.events AS appended (${EVENT_COLUMNS})
  SELECT $1::uuid, $2::text, e.value->>'type', e.value->'data', coalesce(e.value->'metadata', '{}'::jsonb),
    ${CHECKED_VERSION} + e.ordinality::integer, coalesce((e.value->>'schemaVersion')::integer, 1)
  FROM jsonb_array_elements($4::jsonb) WITH ORDINALITY AS e ${LAST_EVENT}
  ORDER BY e.ordinality
  RETURNING appended.event_version AS stream_version, appended.transaction_id::text AS transaction_id, appended.global_sequence::text AS global_sequence`;

/** No event to insert (keys alone): the checks still run, and one row says the stream's version. */
const CHECK_ONLY = `SELECT ${CHECKED_VERSION} AS stream_version, NULL::text AS transaction_id, NULL::text AS global_sequence
  FROM (VALUES (1)) AS one ${LAST_EVENT}`;

/**
 * Keys are stored ON CONFLICT DO NOTHING, with the batch's last sequence; a
 * short count raises ES002 (event_store.refuse_idempotency_keys names the keys).
 */
const STORE_KEYS = `stored_keys AS (
    INSERT INTO event_store.idempotency_keys (key, aggregate_id, result, last_sequence)
    SELECT k.value->>'key', $1::uuid, k.value->'result', (SELECT max(global_sequence::bigint) FROM appended)
    FROM jsonb_array_elements($5::jsonb) AS k
    ON CONFLICT (key) DO NOTHING
    RETURNING 1)`;
const KEYS_CHECK = `CASE WHEN (SELECT count(*) FROM stored_keys) < jsonb_array_length($5::jsonb)
    THEN event_store.refuse_idempotency_keys($5::jsonb) END AS keys_refused`;

export interface AppendShape {
  hasEvents: boolean;
  hasKeys: boolean;
  /** The statements run alongside, as CTEs (", name AS (...)"), and the column that checks their row counts (", ... AS alongside_rows"). */
  alongside?: { ctes: string; columns: string };
}

/**
 * The append's one statement: a row per event (or, without events, one row),
 * each with stream_version, transaction_id and global_sequence. The usual
 * append (events, no keys, nothing alongside) is the bare INSERT.
 */
export function appendText({ hasEvents, hasKeys, alongside }: AppendShape): string {
  if (hasEvents && !hasKeys && !alongside) return INSERT_EVENTS;
  const ctes = [`appended AS (${hasEvents ? INSERT_EVENTS : CHECK_ONLY})`, ...(hasKeys ? [STORE_KEYS] : [])].join(", ");
  return `WITH ${ctes}${alongside?.ctes ?? ""}
  SELECT appended.*${hasKeys ? `, ${KEYS_CHECK}` : ""}${alongside?.columns ?? ""} FROM appended`;
}

/** The stream's version, asked after a conflict on UNIQUE (aggregate_id, event_version). */
export const STREAM_VERSION_TEXT = "SELECT coalesce(max(event_version), 0) AS version FROM event_store.events WHERE aggregate_id = $1::uuid";
