ALTER TABLE "notification_messages" ADD COLUMN "summarized_at" timestamp with time zone;--> statement-breakpoint
-- Fan-outs from before recorded each delivery as its own event: none of them gets a summary.
UPDATE "notification_messages" SET "summarized_at" = "created_at";--> statement-breakpoint
CREATE INDEX "deliveries_message_idx" ON "deliveries" USING btree ("message_id") WHERE message_id is not null;--> statement-breakpoint
CREATE INDEX "deliveries_unattempted_idx" ON "deliveries" USING btree ("message_id") WHERE status = 'pending' and attempts = 0 and message_id is not null;--> statement-breakpoint
CREATE INDEX "notification_messages_open_idx" ON "notification_messages" USING btree ("created_at") WHERE summarized_at is null;