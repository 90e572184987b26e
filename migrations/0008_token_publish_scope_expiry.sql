ALTER TABLE "api_tokens" DROP CONSTRAINT "api_tokens_scope_check";--> statement-breakpoint
ALTER TABLE "api_tokens" ADD COLUMN "expires_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "api_tokens" ADD CONSTRAINT "api_tokens_scope_check" CHECK ("api_tokens"."scope" in ('read', 'write', 'publish', 'admin'));--> statement-breakpoint
-- Tokens made before the publish scope existed could reach the public with scope write: they keep that power.
UPDATE "api_tokens" SET "scope" = 'publish' WHERE "scope" = 'write';
