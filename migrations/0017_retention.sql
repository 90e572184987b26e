CREATE INDEX "deliveries_finished_idx" ON "deliveries" USING btree ("updated_at","id") WHERE status <> 'pending';--> statement-breakpoint
CREATE INDEX "deliveries_message_idx" ON "deliveries" USING btree ("message_id") WHERE message_id is not null;--> statement-breakpoint
CREATE INDEX "events_at_idx" ON "events" USING btree ("at","id");