-- The library's one-event append (print-append.ts, 2026-12-01) with constant refusal messages (no format()
-- or json_build_object() in the branches a failure takes).
-- A probe of where the append's server time goes, not a statement to ship:
-- docs/BENCHMARKS.md, "The library append: what is left between it and raw".
\set n random(1, 9000000000000000)
INSERT INTO event_store.events AS appended (aggregate_id, aggregate_type, event_type, event_data, metadata, event_version, schema_version)
  SELECT (md5(:n::text)::uuid)::uuid, ('bench')::text, e.value->>'type', e.value->'data', coalesce(e.value->'metadata', '{}'::jsonb),
    CASE
      WHEN jsonb_array_length((:events)::jsonb) > 0 AND last.aggregate_type <> ('bench')::text THEN event_store.refuse_append('ES004', 'type', NULL)::integer
      WHEN (0)::integer = -1 AND last.event_version IS NULL OR (0)::integer >= 0 AND coalesce(last.event_version, 0) <> (0)::integer THEN event_store.refuse_append('ES001', 'version', NULL)::integer
      WHEN last.transaction_id > pg_current_xact_id_if_assigned() THEN event_store.refuse_append('40001', 'older', NULL)::integer
      ELSE coalesce(last.event_version, 0) END + e.ordinality::integer, coalesce((e.value->>'schemaVersion')::integer, 1)
  FROM jsonb_array_elements((:events)::jsonb) WITH ORDINALITY AS e LEFT JOIN LATERAL (
    SELECT l.event_version, l.aggregate_type, l.transaction_id FROM event_store.events l
    WHERE l.aggregate_id = (md5(:n::text)::uuid)::uuid ORDER BY l.event_version DESC LIMIT 1) AS last ON true
  ORDER BY e.ordinality
  RETURNING appended.event_version AS stream_version, appended.transaction_id::text AS transaction_id, appended.global_sequence::text AS global_sequence;
