-- The one-event append as an INSERT from a VALUES row instead of jsonb_array_elements:
-- measured for migration 0012, not adopted (docs/BENCHMARKS.md, "The library append: migration 0012").
\set n random(1, 9000000000000000)
INSERT INTO event_store.events AS ev (aggregate_id, aggregate_type, event_type, event_data, metadata, event_version, schema_version)
SELECT md5(:n::text)::uuid, 'bench', 'BenchItemAdded', (:data)::jsonb, '{}',
  CASE
    WHEN l.aggregate_type <> 'bench' THEN event_store.refuse_append('ES004', 'type', NULL)::integer
    WHEN 0 = -1 AND l.event_version IS NULL OR 0 >= 0 AND coalesce(l.event_version, 0) <> 0 THEN event_store.refuse_append('ES001', 'version', NULL)::integer
    WHEN l.transaction_id > pg_current_xact_id_if_assigned() THEN event_store.refuse_append('40001', 'older', NULL)::integer
    ELSE coalesce(l.event_version, 0) END + 1, 1
FROM (VALUES (1)) AS one
LEFT JOIN LATERAL (SELECT l.event_version, l.aggregate_type, l.transaction_id FROM event_store.events l
  WHERE l.aggregate_id = md5(:n::text)::uuid ORDER BY l.event_version DESC LIMIT 1) AS l ON true
RETURNING ev.event_version, ev.global_sequence::text, ev.transaction_id::text;
