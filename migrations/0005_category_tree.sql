-- The category tree stays a tree under any concurrency, and a category with
-- active products cannot be deleted. Called from the append statement like the
-- checks of 0002; a failed rule raises ES100 (command.raise_rule).
--
-- Why moves are serialized: check_category_parent (0002) share-locks only the
-- new parent and walks the ancestors with plain reads. Two moves on two
-- aggregates (A under C while B under D, with A > D and B > C) each see a
-- tree without the other's move, both commit, and close a loop: write skew,
-- which row locks on the path cannot stop without deadlocking exactly the
-- moves that conflict. Only a move changes a parent_id, and only a move can
-- close a loop (a new category has no descendants), so every move takes one
-- transaction-scoped advisory lock before it reads the ancestors: the walk then
-- sees every move that committed before it, and a move that would close a loop
-- gets CATEGORY_CYCLE instead of a deadlock. Creates, renames, deletes and
-- product writes never take it. The cost (measured, docs/ARCHITECTURE.md): moves
-- commit one at a time, each holding the lock from its check to its commit.
--
-- The lock uses the two-int4 advisory key space, which cannot collide with the
-- bigint keys append_to_stream takes per stream.

CREATE FUNCTION command.check_category_move(p_id uuid, p_parent_id uuid)
RETURNS integer LANGUAGE plpgsql AS $$
BEGIN
  -- 0x63617473 = 'cats'; 1 = the tree.
  PERFORM pg_advisory_xact_lock(1667331187, 1);
  -- VOLATILE: the walk inside runs on a snapshot taken after the lock wait.
  RETURN command.check_category_parent(p_id, p_parent_id);
END;
$$;
--> statement-breakpoint

-- Locks the category, then counts its active children and products: a child
-- or a product created (or moved in) concurrently share-locks the category, so
-- it either committed before this lock (and is counted) or waits for this
-- delete and then finds the category deleted.
CREATE OR REPLACE FUNCTION command.check_category_deletable(p_id uuid)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  v_children integer;
  v_products integer;
BEGIN
  PERFORM 1 FROM command.categories WHERE id = p_id FOR UPDATE;
  SELECT count(*) INTO v_children FROM command.categories WHERE parent_id = p_id AND active;
  IF v_children > 0 THEN
    PERFORM command.raise_rule('illegal_state', 'CATEGORY_HAS_CHILDREN',
      format('category %s still has %s active subcategories', p_id, v_children),
      jsonb_build_object('id', p_id, 'children', v_children));
  END IF;
  SELECT count(*) INTO v_products FROM command.products WHERE category_id = p_id AND active;
  IF v_products > 0 THEN
    PERFORM command.raise_rule('illegal_state', 'CATEGORY_HAS_PRODUCTS',
      format('category %s still has %s active products', p_id, v_products),
      jsonb_build_object('id', p_id, 'products', v_products));
  END IF;
  RETURN 1;
END;
$$;
