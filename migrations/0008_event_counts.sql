-- The stats read model (src/stats/): events per type as of the stats
-- consumer's checkpoint, so eventStoreStats and systemStatistics read a few
-- rows instead of counting whole tables. Only that consumer writes here, one
-- batch at a time, so appends never wait on these rows.
CREATE TABLE "query"."event_counts" (
	"event_type" text PRIMARY KEY NOT NULL,
	"event_count" bigint NOT NULL,
	"latest_sequence" bigint NOT NULL
);
