-- A call of an append function with append_to_stream's signature (dropped in migration 0012), for fn=<function>: the variants in variants.sql.
SELECT stream_version, transaction_id::text AS transaction_id, global_sequences::text[] AS global_sequences
FROM event_store.append_to_stream(gen_random_uuid(), 'bench', 0, :events, NULL);
