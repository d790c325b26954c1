-- A product's category must exist and be active when the product is created
-- or moved; re-checked in the append statement with a share lock on the row.
CREATE FUNCTION command.check_product_category(p_category_id uuid)
RETURNS integer LANGUAGE plpgsql AS $$
BEGIN
  PERFORM command.lock_active_category(p_category_id, 'CATEGORY', 'categoryId');
  RETURN 1;
END;
$$;
