-- The library's one-event append (print-append.ts, 2026-12-01) into event_store.events_lean, a copy of the
-- table without events_event_type_idx, made by hand first:
--   psql "$DATABASE_URL" -c 'CREATE TABLE event_store.events_lean (LIKE event_store.events INCLUDING ALL)' \
--     -c 'DROP INDEX event_store.events_lean_event_type_idx'
-- (the plain insert into it is script table=events_lean).
-- A probe of where the append's server time goes, not a statement to ship:
-- docs/BENCHMARKS.md, "The library append: what is left between it and raw".
\set n random(1, 9000000000000000)
INSERT INTO event_store.events_lean AS appended (aggregate_id, aggregate_type, event_type, event_data, metadata, event_version, schema_version)
  SELECT (md5(:n::text)::uuid)::uuid, ('bench')::text, e.value->>'type', e.value->'data', coalesce(e.value->'metadata', '{}'::jsonb),
    CASE
      WHEN jsonb_array_length((:events)::jsonb) > 0 AND last.aggregate_type <> ('bench')::text THEN event_store.refuse_append('ES004',
        format('stream %s belongs to %s, not %s', (md5(:n::text)::uuid)::uuid, last.aggregate_type, ('bench')::text),
        json_build_object('expected', ('bench')::text, 'actual', last.aggregate_type)::text)::integer
      WHEN (0)::integer = -1 AND last.event_version IS NULL OR (0)::integer >= 0 AND coalesce(last.event_version, 0) <> (0)::integer
        THEN event_store.refuse_append('ES001', format('stream %s is at version %s, expected %s', (md5(:n::text)::uuid)::uuid, coalesce(last.event_version, 0), (0)::integer),
        json_build_object('expected', (0)::integer, 'actual', coalesce(last.event_version, 0))::text)::integer
      WHEN last.transaction_id > pg_current_xact_id_if_assigned() THEN event_store.refuse_append('40001',
        format('stream %s was appended to by a transaction newer than this one', (md5(:n::text)::uuid)::uuid), NULL)::integer
      ELSE coalesce(last.event_version, 0) END + e.ordinality::integer, coalesce((e.value->>'schemaVersion')::integer, 1)
  FROM jsonb_array_elements((:events)::jsonb) WITH ORDINALITY AS e LEFT JOIN LATERAL (
    SELECT l.event_version, l.aggregate_type, l.transaction_id FROM event_store.events_lean l
    WHERE l.aggregate_id = (md5(:n::text)::uuid)::uuid ORDER BY l.event_version DESC LIMIT 1) AS last ON true
  ORDER BY e.ordinality
  RETURNING appended.event_version AS stream_version, appended.transaction_id::text AS transaction_id, appended.global_sequence::text AS global_sequence;
