-- The append without a server function: src/event-store/append.ts sends one
-- plain statement (CTEs) that reads the stream's last event, checks, and
-- inserts the events and the idempotency keys. A PL/pgSQL call that only
-- inserted cost about 2.5 times a plain insert's server CPU (docs/BENCHMARKS.md,
-- "The library append: migration 0011"); measured before/after in "The library
-- append: migration 0012".
--
-- No stream lock either: an advisory lock taken inside one statement cannot
-- make that statement's read fresh (its snapshot predates the lock). What the
-- lock gave, the statement keeps otherwise (ARCHITECTURE.md, "The event store"):
-- * a race between two appends of one stream is a conflict on
--   UNIQUE (aggregate_id, event_version), never a lost or duplicated event;
-- * a stream's later append has a larger transaction id: it read the earlier
--   one as committed, and takes its own id after that read, unless its
--   transaction took one earlier, which the "older transaction" check refuses.
--
-- Plain SQL cannot raise an error, so the statement calls these two functions
-- in the branch of a CASE that only a failed check evaluates: the append
-- itself runs no function. Same errors as append_to_stream (0010):
--   ES001 wrong expected version (DETAIL is JSON {expected, actual}),
--   ES002 an idempotency key was already used, or given twice (DETAIL is a JSON array of them),
--   ES004 the stream belongs to another aggregate type (DETAIL is JSON {expected, actual}),
--   40001 the caller's transaction is older than the stream's last append.
CREATE FUNCTION event_store.refuse_append(p_sqlstate text, p_message text, p_detail text)
RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION USING ERRCODE = p_sqlstate, MESSAGE = p_message, DETAIL = coalesce(p_detail, ''),
    HINT = CASE p_sqlstate WHEN '40001' THEN 'Retry the transaction.' ELSE '' END;
END;
$$;
--> statement-breakpoint
-- Called when fewer keys were stored than given. Its queries run after the
-- append statement's snapshot (a new one each, in READ COMMITTED), so they see
-- the key that a concurrent append stored and committed while this one waited.
CREATE FUNCTION event_store.refuse_idempotency_keys(p_keys jsonb)
RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
  v_keys jsonb;
BEGIN
  SELECT jsonb_agg(d.key) INTO v_keys
  FROM (SELECT k.value->>'key' AS key FROM jsonb_array_elements(p_keys) AS k GROUP BY 1 HAVING count(*) > 1) AS d;
  IF v_keys IS NOT NULL THEN
    RAISE EXCEPTION 'an idempotency key was given twice in one append' USING ERRCODE = 'ES002', DETAIL = v_keys::text;
  END IF;
  SELECT coalesce(jsonb_agg(k.value->>'key'), '[]'::jsonb) INTO v_keys
  FROM jsonb_array_elements(p_keys) AS k
  WHERE EXISTS (SELECT 1 FROM event_store.idempotency_keys i WHERE i.key = k.value->>'key' AND i.transaction_id <> pg_current_xact_id());
  RAISE EXCEPTION 'an idempotency key of this batch was already used' USING ERRCODE = 'ES002', DETAIL = v_keys::text;
END;
$$;
--> statement-breakpoint
-- Nothing calls it any more: one append path.
DROP FUNCTION event_store.append_to_stream(uuid, text, integer, jsonb, jsonb);
