-- The append as one statement with CTEs (the checks in a CTE read by the insert, one row back through an aggregate):
-- measured for migration 0012 and not kept (docs/BENCHMARKS.md, "The library append: migration 0012").
\set n random(1, 9000000000000000)
WITH last_event AS (
  SELECT e.event_version, e.aggregate_type, e.transaction_id FROM event_store.events e
  WHERE e.aggregate_id = md5(:n::text)::uuid ORDER BY e.event_version DESC LIMIT 1
), stream AS (
  SELECT coalesce(l.event_version, 0) AS version, CASE
      WHEN jsonb_array_length((:events)::jsonb) > 0 AND l.aggregate_type <> 'bench' THEN
        event_store.refuse_append('ES004', format('stream %s belongs to %s, not %s', md5(:n::text)::uuid, l.aggregate_type, 'bench'), json_build_object('expected', 'bench', 'actual', l.aggregate_type)::text)
      WHEN 0 = -1 AND l.event_version IS NULL OR 0 >= 0 AND coalesce(l.event_version, 0) <> 0 THEN
        event_store.refuse_append('ES001', 'version', json_build_object('expected', 0, 'actual', coalesce(l.event_version, 0))::text)
      WHEN l.transaction_id > pg_current_xact_id_if_assigned() THEN
        event_store.refuse_append('40001', 'older', NULL)
    END AS refused
  FROM (VALUES (1)) AS one LEFT JOIN last_event l ON true
), appended AS (
  INSERT INTO event_store.events (aggregate_id, aggregate_type, event_type, event_data, metadata, event_version, schema_version)
  SELECT md5(:n::text)::uuid, 'bench', e.value->>'type', e.value->'data', coalesce(e.value->'metadata', '{}'), s.version + e.ordinality::integer, coalesce((e.value->>'schemaVersion')::integer, 1)
  FROM stream s, jsonb_array_elements((:events)::jsonb) WITH ORDINALITY AS e
  WHERE s.refused IS NULL
  RETURNING global_sequence, transaction_id
)
SELECT s.version + jsonb_array_length((:events)::jsonb) AS stream_version, a.transaction_id::text, a.global_sequences::text[]
FROM stream s, (SELECT max(transaction_id) AS transaction_id, coalesce(array_agg(global_sequence ORDER BY global_sequence), '{}') AS global_sequences FROM appended) a;
