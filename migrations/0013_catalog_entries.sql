CREATE TABLE "catalog_entries" (
	"kind" text NOT NULL,
	"id" text NOT NULL,
	"entry" jsonb NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"created_by" text NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"updated_by" text NOT NULL,
	CONSTRAINT "catalog_entries_kind_id_pk" PRIMARY KEY("kind","id"),
	CONSTRAINT "catalog_entries_kind_check" CHECK ("catalog_entries"."kind" in ('component', 'monitor'))
);
