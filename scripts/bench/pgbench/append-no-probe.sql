-- The library's one-event append (print-append.ts, 2026-12-01) with its checks and the probe of the
-- stream's last event removed (the version is the event's ordinality).
-- A probe of where the append's server time goes, not a statement to ship:
-- docs/BENCHMARKS.md, "The library append: what is left between it and raw".
\set n random(1, 9000000000000000)
INSERT INTO event_store.events AS appended (aggregate_id, aggregate_type, event_type, event_data, metadata, event_version, schema_version)
  SELECT (md5(:n::text)::uuid)::uuid, ('bench')::text, e.value->>'type', e.value->'data', coalesce(e.value->'metadata', '{}'::jsonb),
     e.ordinality::integer, coalesce((e.value->>'schemaVersion')::integer, 1)
  FROM jsonb_array_elements((:events)::jsonb) WITH ORDINALITY AS e
  ORDER BY e.ordinality
  RETURNING appended.event_version AS stream_version, appended.transaction_id::text AS transaction_id, appended.global_sequence::text AS global_sequence;
