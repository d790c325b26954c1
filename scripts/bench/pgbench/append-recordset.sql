-- The library's one-event append (print-append.ts, 2026-12-01) with the events read by jsonb_to_recordset
-- (one call per batch) instead of jsonb_array_elements and ->> per field.
-- A probe of where the append's server time goes, not a statement to ship:
-- docs/BENCHMARKS.md, "The library append: what is left between it and raw".
\set n random(1, 9000000000000000)
INSERT INTO event_store.events AS appended (aggregate_id, aggregate_type, event_type, event_data, metadata, event_version, schema_version)
  SELECT (md5(:n::text)::uuid)::uuid, ('bench')::text, e.type, e.data, coalesce(e.metadata, '{}'::jsonb),
    CASE
      WHEN jsonb_array_length((:events)::jsonb) > 0 AND last.aggregate_type <> ('bench')::text THEN event_store.refuse_append('ES004',
        format('stream %s belongs to %s, not %s', (md5(:n::text)::uuid)::uuid, last.aggregate_type, ('bench')::text),
        json_build_object('expected', ('bench')::text, 'actual', last.aggregate_type)::text)::integer
      WHEN (0)::integer = -1 AND last.event_version IS NULL OR (0)::integer >= 0 AND coalesce(last.event_version, 0) <> (0)::integer
        THEN event_store.refuse_append('ES001', format('stream %s is at version %s, expected %s', (md5(:n::text)::uuid)::uuid, coalesce(last.event_version, 0), (0)::integer),
        json_build_object('expected', (0)::integer, 'actual', coalesce(last.event_version, 0))::text)::integer
      WHEN last.transaction_id > pg_current_xact_id_if_assigned() THEN event_store.refuse_append('40001',
        format('stream %s was appended to by a transaction newer than this one', (md5(:n::text)::uuid)::uuid), NULL)::integer
      ELSE coalesce(last.event_version, 0) END + e.ordinality::integer, coalesce(e."schemaVersion", 1)
  FROM ROWS FROM (jsonb_to_recordset((:events)::jsonb) AS (type text, data jsonb, metadata jsonb, "schemaVersion" integer)) WITH ORDINALITY AS e LEFT JOIN LATERAL (
    SELECT l.event_version, l.aggregate_type, l.transaction_id FROM event_store.events l
    WHERE l.aggregate_id = (md5(:n::text)::uuid)::uuid ORDER BY l.event_version DESC LIMIT 1) AS last ON true
  ORDER BY e.ordinality
  RETURNING appended.event_version AS stream_version, appended.transaction_id::text AS transaction_id, appended.global_sequence::text AS global_sequence;
