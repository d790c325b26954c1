-- append_to_stream, third version (0001 and 0006 hold the earlier ones;
-- applied migrations are never edited). Same contract as 0006; cheaper:
-- * the streams row is read without FOR UPDATE (one WAL record less per
--   append; the advisory lock is what serializes a stream's appends);
-- * without idempotency keys, the duplicate-key check reads nothing.
-- Measured before/after in docs/BENCHMARKS.md ("The library append").
CREATE OR REPLACE FUNCTION event_store.append_to_stream(
  p_stream_id uuid,
  p_stream_type text,
  p_expected_version integer,
  p_events jsonb,
  p_idempotency jsonb DEFAULT NULL
) RETURNS TABLE (stream_version integer, transaction_id xid8, global_sequences bigint[])
LANGUAGE plpgsql AS $$
DECLARE
  v_current integer;
  v_stream_type text;
  v_count integer := jsonb_array_length(p_events);
  v_sequences bigint[];
  v_stored integer;
  v_duplicates jsonb;
  -- Set when the caller's transaction wrote before this call.
  v_prior_transaction_id xid8 := pg_current_xact_id_if_assigned();
BEGIN
  IF p_idempotency IS NOT NULL THEN
    SELECT jsonb_agg(d.key) INTO v_duplicates
    FROM (SELECT k.value->>'key' AS key FROM jsonb_array_elements(p_idempotency) AS k
          GROUP BY 1 HAVING count(*) > 1) AS d;
    IF v_duplicates IS NOT NULL THEN
      RAISE EXCEPTION 'an idempotency key was given twice in one append'
        USING ERRCODE = 'ES002', DETAIL = v_duplicates::text;
    END IF;
  END IF;

  -- Wait for the stream BEFORE this transaction writes anything (and so takes a
  -- transaction id): a stream's later append then always carries a larger
  -- transaction id, and the global log, ordered by it, keeps stream order.
  PERFORM pg_advisory_xact_lock(hashtextextended(p_stream_id::text, 0));

  -- No FOR UPDATE: the advisory lock already serializes this stream's appends,
  -- and the row lock cost a WAL record per append. A caller in REPEATABLE READ
  -- whose snapshot predates the stream's last append still fails: its UPDATE
  -- below raises a serialization failure, its INSERT a unique violation.
  SELECT s.version, s.stream_type INTO v_current, v_stream_type FROM event_store.streams s WHERE s.stream_id = p_stream_id;
  v_current := coalesce(v_current, 0);

  IF v_count > 0 AND v_stream_type IS DISTINCT FROM p_stream_type AND v_stream_type IS NOT NULL THEN
    RAISE EXCEPTION 'stream % belongs to %, not %', p_stream_id, v_stream_type, p_stream_type
      USING ERRCODE = 'ES004',
            DETAIL = json_build_object('expected', p_stream_type, 'actual', v_stream_type)::text;
  END IF;

  IF p_expected_version IS NOT NULL
     AND ((p_expected_version = -1 AND v_current = 0)
          OR (p_expected_version >= 0 AND v_current <> p_expected_version)) THEN
    RAISE EXCEPTION 'stream % is at version %, expected %', p_stream_id, v_current,
        CASE p_expected_version WHEN -1 THEN 'an existing stream' WHEN 0 THEN 'no stream' ELSE p_expected_version::text END
      USING ERRCODE = 'ES001',
            DETAIL = json_build_object('expected', p_expected_version, 'actual', v_current)::text;
  END IF;

  -- A caller's transaction that took its id earlier may be older than the
  -- stream's last append; its events would sort before that append in the
  -- global log. Refuse: a retry runs with a newer transaction id.
  IF v_prior_transaction_id IS NOT NULL AND v_current > 0 AND EXISTS (
       SELECT 1 FROM event_store.events e
       WHERE e.aggregate_id = p_stream_id AND e.event_version = v_current AND e.transaction_id > v_prior_transaction_id) THEN
    RAISE EXCEPTION 'stream % was appended to by a transaction newer than this one', p_stream_id
      USING ERRCODE = 'serialization_failure', HINT = 'Retry the transaction.';
  END IF;

  IF v_count > 0 THEN
    IF v_current = 0 THEN
      INSERT INTO event_store.streams (stream_id, stream_type, version) VALUES (p_stream_id, p_stream_type, v_count);
    ELSE
      UPDATE event_store.streams SET version = v_current + v_count, updated_at = now() WHERE stream_id = p_stream_id;
    END IF;

    WITH inserted AS (
      INSERT INTO event_store.events (aggregate_id, aggregate_type, event_type, event_data, metadata, event_version, schema_version)
      SELECT p_stream_id, p_stream_type, e.value->>'type', e.value->'data', coalesce(e.value->'metadata', '{}'::jsonb),
             v_current + e.ordinality::integer, coalesce((e.value->>'schemaVersion')::integer, 1)
      FROM jsonb_array_elements(p_events) WITH ORDINALITY AS e
      ORDER BY e.ordinality
      RETURNING event_store.events.global_sequence
    )
    SELECT array_agg(i.global_sequence ORDER BY i.global_sequence) INTO v_sequences FROM inserted i;
  END IF;

  IF p_idempotency IS NOT NULL AND jsonb_array_length(p_idempotency) > 0 THEN
    WITH stored AS (
      INSERT INTO event_store.idempotency_keys (key, aggregate_id, result, last_sequence)
      SELECT k.value->>'key', p_stream_id, k.value->'result', v_sequences[array_upper(v_sequences, 1)]
      FROM jsonb_array_elements(p_idempotency) AS k
      ON CONFLICT (key) DO NOTHING
      RETURNING key
    )
    SELECT count(*) INTO v_stored FROM stored;
    IF v_stored < jsonb_array_length(p_idempotency) THEN
      RAISE EXCEPTION 'an idempotency key of this batch was already used'
        USING ERRCODE = 'ES002',
              DETAIL = coalesce((SELECT jsonb_agg(k.value->>'key') FROM jsonb_array_elements(p_idempotency) AS k
                                 WHERE EXISTS (SELECT 1 FROM event_store.idempotency_keys i WHERE i.key = k.value->>'key'
                                                 AND i.transaction_id <> pg_current_xact_id())), '[]'::jsonb)::text;
    END IF;
  END IF;

  RETURN QUERY SELECT v_current + v_count, pg_current_xact_id_if_assigned(), coalesce(v_sequences, '{}'::bigint[]);
END;
$$;
