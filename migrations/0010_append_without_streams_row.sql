-- append_to_stream, fourth version (0001, 0006 and 0009 hold the earlier ones;
-- applied migrations are never edited). Same contract and errors as 0009;
-- cheaper per append. Measured before/after in docs/BENCHMARKS.md ("The
-- library append: migration 0010").
-- * No streams row. The stream's last event, read through
--   UNIQUE (aggregate_id, event_version) under the stream's advisory lock, is
--   its version and its type, and its transaction id is what the "older
--   transaction" check needs: one index lookup instead of a row read, a row
--   write (a WAL record and a dead tuple per append) and a second lookup.
--   event_store.streams stays, as a view over events, for readers and tools.
-- * Returns one row through OUT parameters instead of RETURN QUERY.
-- * A batch of one event is inserted from a VALUES row.
-- * One index fewer on events: no reader's plan used (aggregate_type,
--   global_sequence); an aggregate-type filter walks the log's
--   (transaction_id, global_sequence) order with or without it. Plans before
--   and after: scripts/bench/event-indexes.ts.
DROP FUNCTION event_store.append_to_stream(uuid, text, integer, jsonb, jsonb);
--> statement-breakpoint
DROP TABLE event_store.streams;
--> statement-breakpoint
DROP INDEX event_store.events_aggregate_type_idx;
--> statement-breakpoint
CREATE VIEW event_store.streams AS
  SELECT aggregate_id AS stream_id, min(aggregate_type) AS stream_type, max(event_version) AS version,
         min(occurred_at) AS created_at, max(occurred_at) AS updated_at
  FROM event_store.events
  GROUP BY aggregate_id;
--> statement-breakpoint
-- p_expected_version: NULL = any, -1 = the stream must exist,
-- 0 = the stream must not exist, n > 0 = the stream must be exactly at n.
-- p_idempotency: [{"key": text, "result": jsonb}], stored UNIQUE with the batch.
-- Errors: ES001 wrong expected version (DETAIL is JSON {expected, actual}),
--         ES002 an idempotency key was already used, or given twice (DETAIL is a JSON array of them),
--         ES004 the stream belongs to another aggregate type,
--         40001 the caller's transaction is older than the stream's last append
--               (retry the whole transaction).
CREATE FUNCTION event_store.append_to_stream(
  p_stream_id uuid,
  p_stream_type text,
  p_expected_version integer,
  p_events jsonb,
  p_idempotency jsonb DEFAULT NULL,
  OUT stream_version integer,
  OUT transaction_id xid8,
  OUT global_sequences bigint[]
)
LANGUAGE plpgsql AS $$
DECLARE
  v_current integer;
  v_stream_type text;
  v_last_transaction_id xid8;
  v_count integer := jsonb_array_length(p_events);
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
  -- The lock is also what serializes a stream's appends: the holder before us
  -- has committed or rolled back, so the read below (a new snapshot, READ
  -- COMMITTED) sees the stream's true last event.
  PERFORM pg_advisory_xact_lock(hashtextextended(p_stream_id::text, 0));

  SELECT e.event_version, e.aggregate_type, e.transaction_id INTO v_current, v_stream_type, v_last_transaction_id
  FROM event_store.events e WHERE e.aggregate_id = p_stream_id
  ORDER BY e.event_version DESC LIMIT 1;
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
  -- global log. Refuse: a retry runs with a newer transaction id. (A caller in
  -- REPEATABLE READ whose snapshot predates that append read an older version
  -- above; its INSERT below then fails on UNIQUE (aggregate_id, event_version).)
  IF v_prior_transaction_id IS NOT NULL AND v_last_transaction_id > v_prior_transaction_id THEN
    RAISE EXCEPTION 'stream % was appended to by a transaction newer than this one', p_stream_id
      USING ERRCODE = 'serialization_failure', HINT = 'Retry the transaction.';
  END IF;

  -- One event is the usual append (one command, one event): a plain VALUES
  -- row skips unnesting the array, the CTE and array_agg (measured faster).
  IF v_count = 1 THEN
    INSERT INTO event_store.events (aggregate_id, aggregate_type, event_type, event_data, metadata, event_version, schema_version)
    VALUES (p_stream_id, p_stream_type, p_events->0->>'type', p_events->0->'data', coalesce(p_events->0->'metadata', '{}'::jsonb),
            v_current + 1, coalesce((p_events->0->>'schemaVersion')::integer, 1))
    RETURNING ARRAY[event_store.events.global_sequence] INTO global_sequences;
  ELSIF v_count > 1 THEN
    WITH inserted AS (
      INSERT INTO event_store.events (aggregate_id, aggregate_type, event_type, event_data, metadata, event_version, schema_version)
      SELECT p_stream_id, p_stream_type, e.value->>'type', e.value->'data', coalesce(e.value->'metadata', '{}'::jsonb),
             v_current + e.ordinality::integer, coalesce((e.value->>'schemaVersion')::integer, 1)
      FROM jsonb_array_elements(p_events) WITH ORDINALITY AS e
      ORDER BY e.ordinality
      RETURNING event_store.events.global_sequence
    )
    SELECT array_agg(i.global_sequence ORDER BY i.global_sequence) INTO global_sequences FROM inserted i;
  END IF;

  IF p_idempotency IS NOT NULL AND jsonb_array_length(p_idempotency) > 0 THEN
    WITH stored AS (
      INSERT INTO event_store.idempotency_keys (key, aggregate_id, result, last_sequence)
      SELECT k.value->>'key', p_stream_id, k.value->'result', global_sequences[array_upper(global_sequences, 1)]
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

  stream_version := v_current + v_count;
  transaction_id := pg_current_xact_id_if_assigned();
  global_sequences := coalesce(global_sequences, '{}'::bigint[]);
END;
$$;
