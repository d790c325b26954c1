-- Cross-aggregate category rules, re-checked inside the append statement with
-- row locks so a concurrent command on another category cannot slip between
-- the Durable Object's check and the commit. Both functions are VOLATILE
-- PL/pgSQL: each query inside sees a fresh snapshot, taken after the lock wait.
--
-- A failed rule raises ES100 with DETAIL = {"code", "kind", "message", "details"},
-- which src/commands/rule-violations.ts turns into the matching domain error.

CREATE FUNCTION command.raise_rule(p_kind text, p_code text, p_message text, p_details jsonb)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '%', p_message USING ERRCODE = 'ES100',
    DETAIL = json_build_object('kind', p_kind, 'code', p_code, 'message', p_message, 'details', p_details)::text;
END;
$$;
--> statement-breakpoint

-- A category another aggregate points at must exist and be active; it is
-- share-locked until the commit, so it cannot be deleted in between.
-- p_role names it in the error codes: PARENT_NOT_FOUND, CATEGORY_DELETED, ...
CREATE FUNCTION command.lock_active_category(p_category_id uuid, p_role text, p_field text)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  v_active boolean;
  v_label text := CASE p_role WHEN 'PARENT' THEN 'parent category' ELSE 'category' END;
BEGIN
  SELECT active INTO v_active FROM command.categories WHERE id = p_category_id FOR SHARE;
  IF NOT FOUND THEN
    PERFORM command.raise_rule('not_found', p_role || '_NOT_FOUND', format('%s %s does not exist', v_label, p_category_id),
      jsonb_build_object(p_field, p_category_id));
  ELSIF NOT v_active THEN
    PERFORM command.raise_rule('illegal_state', p_role || '_DELETED', format('%s %s is deleted', v_label, p_category_id),
      jsonb_build_object(p_field, p_category_id));
  END IF;
END;
$$;
--> statement-breakpoint

-- The parent must exist, be active, and not be the category or a descendant of it.
CREATE FUNCTION command.check_category_parent(p_id uuid, p_parent_id uuid)
RETURNS integer LANGUAGE plpgsql AS $$
BEGIN
  PERFORM command.lock_active_category(p_parent_id, 'PARENT', 'parentId');
  IF EXISTS (
    WITH RECURSIVE ancestors(id, parent_id, depth) AS (
      SELECT id, parent_id, 0 FROM command.categories WHERE id = p_parent_id
      UNION ALL
      SELECT c.id, c.parent_id, a.depth + 1 FROM command.categories c JOIN ancestors a ON c.id = a.parent_id WHERE a.depth < 1000
    )
    SELECT 1 FROM ancestors WHERE id = p_id
  ) THEN
    PERFORM command.raise_rule('illegal_state', 'CATEGORY_CYCLE', format('category %s is a descendant of %s', p_parent_id, p_id),
      jsonb_build_object('id', p_id, 'parentId', p_parent_id));
  END IF;
  RETURN 1;
END;
$$;
--> statement-breakpoint

-- Locks the category, then counts its active children: a child created
-- concurrently either committed before the lock (and is counted) or waits for
-- this delete and then finds its parent deleted.
CREATE FUNCTION command.check_category_deletable(p_id uuid)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  v_children integer;
BEGIN
  PERFORM 1 FROM command.categories WHERE id = p_id FOR UPDATE;
  SELECT count(*) INTO v_children FROM command.categories WHERE parent_id = p_id AND active;
  IF v_children > 0 THEN
    PERFORM command.raise_rule('illegal_state', 'CATEGORY_HAS_CHILDREN',
      format('category %s still has %s active subcategories', p_id, v_children),
      jsonb_build_object('id', p_id, 'children', v_children));
  END IF;
  RETURN 1;
END;
$$;
