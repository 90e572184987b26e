CREATE TABLE "check_results" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "check_results_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"monitor_id" text NOT NULL,
	"region" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"status" text NOT NULL,
	"latency_ms" real NOT NULL,
	"facts" jsonb NOT NULL,
	"error_kind" text,
	"error_message" text
);
--> statement-breakpoint
CREATE TABLE "check_rollups" (
	"monitor_id" text NOT NULL,
	"bucket" text NOT NULL,
	"start" timestamp with time zone NOT NULL,
	"checks" integer NOT NULL,
	"failures" integer NOT NULL,
	"degraded" integer NOT NULL,
	"latency_p50" real,
	"latency_p95" real,
	CONSTRAINT "check_rollups_monitor_id_bucket_start_pk" PRIMARY KEY("monitor_id","bucket","start")
);
--> statement-breakpoint
CREATE TABLE "monitor_states" (
	"monitor_id" text PRIMARY KEY NOT NULL,
	"status" text NOT NULL,
	"state" jsonb NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX "check_results_monitor_at_idx" ON "check_results" USING btree ("monitor_id","at");--> statement-breakpoint
CREATE INDEX "check_results_at_idx" ON "check_results" USING btree ("at");--> statement-breakpoint
CREATE INDEX "check_rollups_bucket_start_idx" ON "check_rollups" USING btree ("bucket","start");