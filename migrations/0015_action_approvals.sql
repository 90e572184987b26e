CREATE TABLE "action_approvals" (
	"run_id" text NOT NULL,
	"approver" text NOT NULL,
	"actor" text NOT NULL,
	"decision" text NOT NULL,
	"comment" text,
	"at" timestamp with time zone NOT NULL,
	CONSTRAINT "action_approvals_run_id_approver_pk" PRIMARY KEY("run_id","approver"),
	CONSTRAINT "action_approvals_decision_check" CHECK ("action_approvals"."decision" in ('approve', 'reject'))
);
--> statement-breakpoint
ALTER TABLE "action_runs" DROP CONSTRAINT "action_runs_status_check";--> statement-breakpoint
ALTER TABLE "action_runs" ADD COLUMN "requested_by_user" text;--> statement-breakpoint
ALTER TABLE "action_runs" ADD COLUMN "approvals_required" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "action_runs" ADD COLUMN "approval_deadline_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "action_approvals" ADD CONSTRAINT "action_approvals_run_id_action_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."action_runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "action_runs_waiting_idx" ON "action_runs" USING btree ("approval_deadline_at") WHERE status = 'waiting_approval';--> statement-breakpoint
ALTER TABLE "action_runs" ADD CONSTRAINT "action_runs_status_check" CHECK ("action_runs"."status" in ('waiting_approval', 'pending', 'running', 'succeeded', 'failed', 'timed_out', 'cancelled', 'rejected'));