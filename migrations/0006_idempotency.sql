-- append_to_stream, second version (0001 holds the first; applied migrations
-- are never edited). What changed, and why:
-- * The same idempotency key twice in one call raises ES002 (naming it) before
--   anything is written; it used to fail on a NULL DETAIL (SQLSTATE 22004).
-- * A stream belongs to one aggregate type: appending events of another type
--   to an existing stream raises ES004 (DETAIL is JSON {expected, actual}).
--   Keys alone (a command that produced no events) may still be stored.
-- * Zero events with keys stores the keys (last_sequence NULL): a key's first
--   answer stands even when it changed nothing.
--
-- p_expected_version: NULL = any, -1 = the stream must exist,
-- 0 = the stream must not exist, n > 0 = the stream must be exactly at n.
-- p_idempotency: [{"key": text, "result": jsonb}], stored UNIQUE with the batch.
-- Errors: ES001 wrong expected version (DETAIL is JSON {expected, actual}),
--         ES002 an idempotency key was already used, or given twice (DETAIL is a JSON array of them),
--         ES004 the stream belongs to another aggregate type,
--         40001 the caller's transaction is older than the stream's last append
--               (retry the whole transaction).
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
  SELECT jsonb_agg(d.key) INTO v_duplicates
  FROM (SELECT k.value->>'key' AS key FROM jsonb_array_elements(coalesce(p_idempotency, '[]'::jsonb)) AS k
        GROUP BY 1 HAVING count(*) > 1) AS d;
  IF v_duplicates IS NOT NULL THEN
    RAISE EXCEPTION 'an idempotency key was given twice in one append'
      USING ERRCODE = 'ES002', DETAIL = v_duplicates::text;
  END IF;

  -- Wait for the stream BEFORE this transaction writes anything (and so takes a
  -- transaction id): a stream's later append then always carries a larger
  -- transaction id, and the global log, ordered by it, keeps stream order.
  PERFORM pg_advisory_xact_lock(hashtextextended(p_stream_id::text, 0));

  SELECT s.version, s.stream_type INTO v_current, v_stream_type FROM event_store.streams s WHERE s.stream_id = p_stream_id FOR UPDATE;
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
--> statement-breakpoint
-- Statements committed alongside an append run in the same statement; a
-- count that is too small (an upsert held back by its version guard) must
-- roll all of it back, so the check raises inside that statement.
-- p_minimum[i] NULL = any count. ES003: DETAIL is JSON {counts, minimum}.
CREATE OR REPLACE FUNCTION event_store.check_alongside_rows(p_counts bigint[], p_minimum bigint[])
RETURNS bigint[] LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM unnest(p_counts, p_minimum) AS c(n, minimum) WHERE c.n < c.minimum) THEN
    RAISE EXCEPTION 'a statement committed alongside the append touched fewer rows than it must'
      USING ERRCODE = 'ES003', DETAIL = json_build_object('counts', p_counts, 'minimum', p_minimum)::text;
  END IF;
  RETURN p_counts;
END;
$$;
