CREATE TABLE "action_runs" (
	"id" text PRIMARY KEY NOT NULL,
	"action_id" text NOT NULL,
	"action_type" text NOT NULL,
	"incident_id" text,
	"idempotency_key" text NOT NULL,
	"status" text NOT NULL,
	"attempts" integer NOT NULL,
	"next_attempt_at" timestamp with time zone,
	"deadline_at" timestamp with time zone NOT NULL,
	"requested_by" text NOT NULL,
	"output" text,
	"last_error" text,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	CONSTRAINT "action_runs_status_check" CHECK ("action_runs"."status" in ('pending', 'running', 'succeeded', 'failed', 'timed_out', 'cancelled'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX "action_runs_idempotency_key_idx" ON "action_runs" USING btree ("idempotency_key");--> statement-breakpoint
CREATE INDEX "action_runs_pending_due_idx" ON "action_runs" USING btree ("next_attempt_at") WHERE status = 'pending';--> statement-breakpoint
CREATE INDEX "action_runs_incident_idx" ON "action_runs" USING btree ("incident_id","created_at");