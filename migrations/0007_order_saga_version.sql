-- The order read model's saga columns are fed by the saga's own stream: they
-- keep that stream's version, apart from the order's, to guard replays.
ALTER TABLE "query"."orders" ADD COLUMN "saga_version" integer;
