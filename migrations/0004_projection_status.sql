CREATE TABLE "query"."dead_letters" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"consumer" text NOT NULL,
	"global_sequence" bigint NOT NULL,
	"transaction_id" "xid8" NOT NULL,
	"aggregate_id" uuid NOT NULL,
	"event_type" text NOT NULL,
	"event_data" jsonb NOT NULL,
	"error" text,
	"skipped_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "query"."checkpoints" ADD COLUMN "status" text DEFAULT 'running' NOT NULL;--> statement-breakpoint
ALTER TABLE "query"."checkpoints" ADD COLUMN "last_error" text;--> statement-breakpoint
ALTER TABLE "query"."checkpoints" ADD COLUMN "failed_sequence" bigint;--> statement-breakpoint
ALTER TABLE "query"."checkpoints" ADD COLUMN "failed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "query"."checkpoints" ADD COLUMN "lag_p50_ms" integer;--> statement-breakpoint
ALTER TABLE "query"."checkpoints" ADD COLUMN "lag_p99_ms" integer;--> statement-breakpoint
ALTER TABLE "query"."checkpoints" ADD COLUMN "last_processed_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "dead_letters_consumer_idx" ON "query"."dead_letters" USING btree ("consumer","id");