-- The library's append, as appendToStream sends it, each to a new stream.
SELECT stream_version, transaction_id::text AS transaction_id, global_sequences::text[] AS global_sequences
FROM event_store.append_to_stream(gen_random_uuid(), 'bench', 0, :events, NULL);
