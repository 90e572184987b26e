CREATE TABLE "cluster_lease" (
	"name" text PRIMARY KEY NOT NULL,
	"node" text NOT NULL,
	"term" bigint NOT NULL,
	"since" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "cluster_nodes" (
	"node" text PRIMARY KEY NOT NULL,
	"url" text NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"last_seen" timestamp with time zone NOT NULL,
	"checks_per_second" double precision DEFAULT 0 NOT NULL,
	"stopped_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "heartbeats" (
	"monitor_id" text PRIMARY KEY NOT NULL,
	"at" timestamp with time zone NOT NULL
);
