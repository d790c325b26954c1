-- The raw baseline: one row into a table whose only index is UNIQUE (stream_id, version).
INSERT INTO bench_raw (stream_id, version, data) VALUES (gen_random_uuid(), 1, :data);
