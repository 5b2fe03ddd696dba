CREATE TABLE "stripe_meter_error_reports" (
	"event_id" text PRIMARY KEY NOT NULL,
	"type" text NOT NULL,
	"meter_id" text,
	"error_count" integer NOT NULL,
	"attributed_count" integer NOT NULL,
	"summary" text NOT NULL,
	"window_start" bigint NOT NULL,
	"window_end" bigint NOT NULL,
	"received_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "stripe_state_versions" (
	"subject" text PRIMARY KEY NOT NULL,
	"event_created" bigint NOT NULL,
	"event_rank" integer NOT NULL,
	"object_id" text NOT NULL,
	"event_id" text NOT NULL
);
--> statement-breakpoint
ALTER TABLE "stripe_events" ADD COLUMN "outcome" text DEFAULT 'applied' NOT NULL;--> statement-breakpoint
CREATE INDEX "stripe_meter_error_reports_window_idx" ON "stripe_meter_error_reports" USING btree ("window_start");