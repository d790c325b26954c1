CREATE SCHEMA "event_store";
--> statement-breakpoint
CREATE SCHEMA "command";
--> statement-breakpoint
CREATE SCHEMA "query";
--> statement-breakpoint
CREATE TABLE "event_store"."events" (
	"global_sequence" bigserial PRIMARY KEY NOT NULL,
	"aggregate_id" uuid NOT NULL,
	"aggregate_type" text NOT NULL,
	"event_type" text NOT NULL,
	"event_data" jsonb NOT NULL,
	"metadata" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"event_version" integer NOT NULL,
	"schema_version" integer DEFAULT 1 NOT NULL,
	"occurred_at" timestamp with time zone DEFAULT now() NOT NULL,
	"transaction_id" "xid8" DEFAULT pg_current_xact_id() NOT NULL,
	CONSTRAINT "events_aggregate_version_unique" UNIQUE("aggregate_id","event_version")
);
--> statement-breakpoint
CREATE TABLE "event_store"."idempotency_keys" (
	"key" text PRIMARY KEY NOT NULL,
	"aggregate_id" uuid NOT NULL,
	"result" jsonb,
	"last_sequence" bigint,
	"transaction_id" "xid8" DEFAULT pg_current_xact_id() NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "event_store"."sagas" (
	"saga_id" uuid PRIMARY KEY NOT NULL,
	"saga_type" text NOT NULL,
	"state" jsonb NOT NULL,
	"status" text NOT NULL,
	"current_step" text,
	"version" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "event_store"."snapshots" (
	"aggregate_id" uuid PRIMARY KEY NOT NULL,
	"aggregate_type" text NOT NULL,
	"version" integer NOT NULL,
	"state_version" integer NOT NULL,
	"data" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "event_store"."streams" (
	"stream_id" uuid PRIMARY KEY NOT NULL,
	"stream_type" text NOT NULL,
	"version" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "command"."categories" (
	"id" uuid PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"description" text,
	"parent_id" uuid,
	"active" boolean DEFAULT true NOT NULL,
	"version" integer NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "command"."products" (
	"id" uuid PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"category_id" uuid NOT NULL,
	"price_amount" bigint NOT NULL,
	"stock_quantity" integer NOT NULL,
	"reserved_quantity" integer DEFAULT 0 NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"version" integer NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "query"."categories" (
	"id" uuid PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"description" text,
	"parent_id" uuid,
	"active" boolean DEFAULT true NOT NULL,
	"version" integer NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "query"."checkpoints" (
	"consumer" text PRIMARY KEY NOT NULL,
	"transaction_id" "xid8" DEFAULT '0'::xid8 NOT NULL,
	"global_sequence" bigint DEFAULT 0 NOT NULL,
	"processed_count" bigint DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "query"."orders" (
	"id" uuid PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"status" text NOT NULL,
	"total_amount" numeric(14, 2) NOT NULL,
	"items" jsonb NOT NULL,
	"saga_id" uuid,
	"saga_status" text,
	"saga_current_step" text,
	"version" integer NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "query"."products" (
	"id" uuid PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"description" text,
	"category_id" uuid NOT NULL,
	"price" numeric(14, 2) NOT NULL,
	"stock_quantity" integer NOT NULL,
	"reserved_quantity" integer DEFAULT 0 NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"version" integer NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX "events_transaction_position_idx" ON "event_store"."events" USING btree ("transaction_id","global_sequence");--> statement-breakpoint
CREATE INDEX "events_event_type_idx" ON "event_store"."events" USING btree ("event_type");--> statement-breakpoint
CREATE INDEX "events_aggregate_type_idx" ON "event_store"."events" USING btree ("aggregate_type","global_sequence");--> statement-breakpoint
CREATE INDEX "sagas_status_idx" ON "event_store"."sagas" USING btree ("saga_type","status");--> statement-breakpoint
CREATE INDEX "command_categories_parent_idx" ON "command"."categories" USING btree ("parent_id");--> statement-breakpoint
CREATE INDEX "command_products_category_idx" ON "command"."products" USING btree ("category_id");--> statement-breakpoint
CREATE INDEX "query_categories_parent_idx" ON "query"."categories" USING btree ("parent_id");--> statement-breakpoint
CREATE INDEX "query_orders_user_idx" ON "query"."orders" USING btree ("user_id","created_at");--> statement-breakpoint
CREATE INDEX "query_orders_status_idx" ON "query"."orders" USING btree ("status");--> statement-breakpoint
CREATE INDEX "query_products_category_idx" ON "query"."products" USING btree ("category_id");--> statement-breakpoint
CREATE INDEX "query_products_price_idx" ON "query"."products" USING btree ("price");