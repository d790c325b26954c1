-- A product's category must exist and be active when the product is created
-- or moved; re-checked in the append statement with a share lock on the row.
CREATE FUNCTION command.check_product_category(p_category_id uuid)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  v_active boolean;
BEGIN
  SELECT active INTO v_active FROM command.categories WHERE id = p_category_id FOR SHARE;
  IF NOT FOUND THEN
    PERFORM command.raise_rule('not_found', 'CATEGORY_NOT_FOUND', format('category %s does not exist', p_category_id),
      jsonb_build_object('categoryId', p_category_id));
  ELSIF NOT v_active THEN
    PERFORM command.raise_rule('illegal_state', 'CATEGORY_DELETED', format('category %s is deleted', p_category_id),
      jsonb_build_object('categoryId', p_category_id));
  END IF;
  RETURN 1;
END;
$$;
