CREATE TABLE "concurrency_leases" (
	"key_id" text PRIMARY KEY NOT NULL,
	"leases" jsonb NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "rate_limits" (
	"key_id" text PRIMARY KEY NOT NULL,
	"tat_us" bigint NOT NULL,
	"last_allowed" integer NOT NULL
);
