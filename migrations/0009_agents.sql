CREATE TABLE "agents" (
	"id" text PRIMARY KEY NOT NULL,
	"region" text NOT NULL,
	"token_id" text NOT NULL,
	"version" text NOT NULL,
	"hostname" text,
	"started_at" timestamp with time zone NOT NULL,
	"last_seen" timestamp with time zone NOT NULL,
	"buffer_results" bigint DEFAULT 0 NOT NULL,
	"buffer_dropped" bigint DEFAULT 0 NOT NULL,
	"checks_per_second" double precision DEFAULT 0 NOT NULL,
	"last_seq" bigint DEFAULT 0 NOT NULL
);
--> statement-breakpoint
ALTER TABLE "api_tokens" DROP CONSTRAINT "api_tokens_scope_check";--> statement-breakpoint
ALTER TABLE "api_tokens" ADD COLUMN "region" text;--> statement-breakpoint
ALTER TABLE "check_results" ADD COLUMN "agent" text;--> statement-breakpoint
ALTER TABLE "check_results" ADD COLUMN "seq" bigint;--> statement-breakpoint
ALTER TABLE "check_results" ADD COLUMN "warning" text;--> statement-breakpoint
ALTER TABLE "check_results" ADD COLUMN "received_at" timestamp with time zone;--> statement-breakpoint
CREATE UNIQUE INDEX "check_results_agent_seq_idx" ON "check_results" USING btree ("agent","seq");--> statement-breakpoint
CREATE INDEX "check_results_received_idx" ON "check_results" USING btree ("received_at") WHERE "check_results"."agent" is not null;--> statement-breakpoint
ALTER TABLE "api_tokens" ADD CONSTRAINT "api_tokens_agent_region_check" CHECK (("api_tokens"."scope" = 'agent') = ("api_tokens"."region" is not null));--> statement-breakpoint
ALTER TABLE "api_tokens" ADD CONSTRAINT "api_tokens_scope_check" CHECK ("api_tokens"."scope" in ('read', 'write', 'publish', 'admin', 'agent'));