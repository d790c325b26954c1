-- The variants of the append measured for migration 0011 (docs/BENCHMARKS.md,
-- "The library append: migration 0011"), for run.sh fn=<name> / table=<name>.
-- Probes only: the one-event path, no idempotency keys, never used by the code.
--   psql "$DATABASE_URL" -f scripts/bench/pgbench/variants.sql

-- events in the shape before 0011 (key on global_sequence plus the log index),
-- and in the shape since (the log position is the key): table=events_0010_shape.
CREATE TABLE event_store.events_0010_shape (LIKE event_store.events INCLUDING DEFAULTS);
ALTER TABLE event_store.events_0010_shape ADD PRIMARY KEY (global_sequence);
ALTER TABLE event_store.events_0010_shape ADD UNIQUE (aggregate_id, event_version);
CREATE INDEX ON event_store.events_0010_shape (transaction_id, global_sequence);
CREATE INDEX ON event_store.events_0010_shape (event_type);
CREATE TABLE event_store.events_0011_shape (LIKE event_store.events INCLUDING DEFAULTS);
ALTER TABLE event_store.events_0011_shape ADD PRIMARY KEY (transaction_id, global_sequence);
ALTER TABLE event_store.events_0011_shape ADD UNIQUE (aggregate_id, event_version);
CREATE INDEX ON event_store.events_0011_shape (event_type);

-- LANGUAGE sql (plans cached per session in PostgreSQL 18): the lock, then one
-- statement that probes the last event, checks (raising through event_store.refuse_append, migration 0012)
-- and inserts. fn=append_as_sql_function
CREATE FUNCTION event_store.append_as_sql_function(
  p_stream_id uuid,
  p_stream_type text,
  p_expected_version integer,
  p_events jsonb,
  p_idempotency jsonb DEFAULT NULL,
  OUT stream_version integer,
  OUT transaction_id xid8,
  OUT global_sequences bigint[]
)
LANGUAGE sql AS $$
SELECT pg_advisory_xact_lock(hashtextextended(p_stream_id::text, 0));
WITH last AS (
  SELECT e.event_version, e.aggregate_type, e.transaction_id FROM event_store.events e
  WHERE e.aggregate_id = p_stream_id ORDER BY e.event_version DESC LIMIT 1
), stream AS (
  SELECT coalesce(l.event_version, 0) AS version, l.aggregate_type AS stream_type, l.transaction_id AS last_transaction_id,
         jsonb_array_length(p_events) AS count, pg_current_xact_id_if_assigned() AS prior_transaction_id
  FROM (SELECT 1) AS one LEFT JOIN last l ON true
), checked AS MATERIALIZED (
  SELECT s.version, s.count, CASE
    WHEN s.count > 0 AND s.stream_type IS DISTINCT FROM p_stream_type AND s.stream_type IS NOT NULL THEN
      event_store.refuse_append('ES004', format('stream %s belongs to %s, not %s', p_stream_id, s.stream_type, p_stream_type),
        json_build_object('expected', p_stream_type, 'actual', s.stream_type)::text)
    WHEN p_expected_version IS NOT NULL AND ((p_expected_version = -1 AND s.version = 0) OR (p_expected_version >= 0 AND s.version <> p_expected_version)) THEN
      event_store.refuse_append('ES001', format('stream %s is at version %s, expected %s', p_stream_id, s.version,
        CASE p_expected_version WHEN -1 THEN 'an existing stream' WHEN 0 THEN 'no stream' ELSE p_expected_version::text END),
        json_build_object('expected', p_expected_version, 'actual', s.version)::text)
    WHEN s.prior_transaction_id IS NOT NULL AND s.last_transaction_id > s.prior_transaction_id THEN
      event_store.refuse_append('40001', format('stream %s was appended to by a transaction newer than this one', p_stream_id), NULL)
    ELSE true END AS ok
  FROM stream s
), inserted AS (
  INSERT INTO event_store.events (aggregate_id, aggregate_type, event_type, event_data, metadata, event_version, schema_version)
  SELECT p_stream_id, p_stream_type, e.value->>'type', e.value->'data', coalesce(e.value->'metadata', '{}'::jsonb),
         c.version + e.ordinality::integer, coalesce((e.value->>'schemaVersion')::integer, 1)
  FROM checked c, jsonb_array_elements(p_events) WITH ORDINALITY AS e
  WHERE c.ok
  ORDER BY e.ordinality
  RETURNING event_store.events.global_sequence, event_store.events.transaction_id
)
SELECT c.version + c.count, i.transaction_id, coalesce(i.global_sequences, '{}'::bigint[])
FROM checked c, (SELECT max(i.transaction_id) AS transaction_id, array_agg(i.global_sequence ORDER BY i.global_sequence) AS global_sequences FROM inserted i) AS i
WHERE c.ok;
$$;

-- PL/pgSQL with the probe, the checks and the insert in ONE statement (one SPI
-- call fewer than append_to_stream). fn=append_one_statement
CREATE FUNCTION event_store.append_one_statement(p_stream_id uuid, p_stream_type text, p_expected_version integer, p_events jsonb, p_idempotency jsonb DEFAULT NULL,
  OUT stream_version integer, OUT transaction_id xid8, OUT global_sequences bigint[]) LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(hashtextextended(p_stream_id::text, 0));
  INSERT INTO event_store.events AS ev (aggregate_id, aggregate_type, event_type, event_data, metadata, event_version, schema_version)
  SELECT p_stream_id, p_stream_type, p_events->0->>'type', p_events->0->'data', coalesce(p_events->0->'metadata', '{}'::jsonb),
    CASE
      WHEN l.aggregate_type IS DISTINCT FROM p_stream_type AND l.aggregate_type IS NOT NULL THEN event_store.refuse_append('ES004', 'type', '{}')::integer
      WHEN p_expected_version IS NOT NULL AND ((p_expected_version = -1 AND l.event_version IS NULL)
           OR (p_expected_version >= 0 AND coalesce(l.event_version, 0) <> p_expected_version)) THEN event_store.refuse_append('ES001', 'version', '{}')::integer
      WHEN pg_current_xact_id_if_assigned() < l.transaction_id THEN event_store.refuse_append('40001', 'older', NULL)::integer
      ELSE coalesce(l.event_version, 0) + 1 END,
    coalesce((p_events->0->>'schemaVersion')::integer, 1)
  FROM (VALUES (1)) AS one LEFT JOIN LATERAL (
    SELECT e.event_version, e.aggregate_type, e.transaction_id FROM event_store.events e
    WHERE e.aggregate_id = p_stream_id ORDER BY e.event_version DESC LIMIT 1) AS l ON true
  RETURNING ev.event_version, ARRAY[ev.global_sequence], ev.transaction_id INTO stream_version, global_sequences, transaction_id;
END; $$;

-- The decomposition: the PL/pgSQL call with the insert only (fn=append_insert_only),
-- plus the stream lock (fn=append_lock_insert), plus the last-event probe
-- without the checks (fn=append_probe_insert). None checks anything.
CREATE FUNCTION event_store.append_insert_only(p_stream_id uuid, p_stream_type text, p_expected_version integer, p_events jsonb, p_idempotency jsonb DEFAULT NULL,
  OUT stream_version integer, OUT transaction_id xid8, OUT global_sequences bigint[]) LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO event_store.events (aggregate_id, aggregate_type, event_type, event_data, metadata, event_version, schema_version)
  VALUES (p_stream_id, p_stream_type, p_events->0->>'type', p_events->0->'data', coalesce(p_events->0->'metadata', '{}'::jsonb), 1, coalesce((p_events->0->>'schemaVersion')::integer, 1))
  RETURNING ARRAY[event_store.events.global_sequence] INTO global_sequences;
  stream_version := 1; transaction_id := pg_current_xact_id_if_assigned();
END; $$;

CREATE FUNCTION event_store.append_lock_insert(p_stream_id uuid, p_stream_type text, p_expected_version integer, p_events jsonb, p_idempotency jsonb DEFAULT NULL,
  OUT stream_version integer, OUT transaction_id xid8, OUT global_sequences bigint[]) LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(hashtextextended(p_stream_id::text, 0));
  INSERT INTO event_store.events (aggregate_id, aggregate_type, event_type, event_data, metadata, event_version, schema_version)
  VALUES (p_stream_id, p_stream_type, p_events->0->>'type', p_events->0->'data', coalesce(p_events->0->'metadata', '{}'::jsonb), 1, coalesce((p_events->0->>'schemaVersion')::integer, 1))
  RETURNING ARRAY[event_store.events.global_sequence] INTO global_sequences;
  stream_version := 1; transaction_id := pg_current_xact_id_if_assigned();
END; $$;

CREATE FUNCTION event_store.append_probe_insert(p_stream_id uuid, p_stream_type text, p_expected_version integer, p_events jsonb, p_idempotency jsonb DEFAULT NULL,
  OUT stream_version integer, OUT transaction_id xid8, OUT global_sequences bigint[]) LANGUAGE plpgsql AS $$
DECLARE v_current integer; v_stream_type text; v_last_transaction_id xid8;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtextextended(p_stream_id::text, 0));
  SELECT e.event_version, e.aggregate_type, e.transaction_id INTO v_current, v_stream_type, v_last_transaction_id
  FROM event_store.events e WHERE e.aggregate_id = p_stream_id ORDER BY e.event_version DESC LIMIT 1;
  INSERT INTO event_store.events (aggregate_id, aggregate_type, event_type, event_data, metadata, event_version, schema_version)
  VALUES (p_stream_id, p_stream_type, p_events->0->>'type', p_events->0->'data', coalesce(p_events->0->'metadata', '{}'::jsonb), 1, coalesce((p_events->0->>'schemaVersion')::integer, 1))
  RETURNING ARRAY[event_store.events.global_sequence] INTO global_sequences;
  stream_version := 1; transaction_id := pg_current_xact_id_if_assigned();
END; $$;

-- The append as it was from migration 0010 until 0012 replaced it with a plain
-- statement: append_to_stream (0010's text), renamed. fn=append_0011
CREATE FUNCTION event_store.append_0011(
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
