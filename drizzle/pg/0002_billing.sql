ALTER TABLE "usage" ADD COLUMN "stripe_lease_owner" text;--> statement-breakpoint
ALTER TABLE "usage" ADD COLUMN "stripe_lease_until" bigint;--> statement-breakpoint
ALTER TABLE "usage" ADD COLUMN "stripe_error" text;--> statement-breakpoint
CREATE INDEX "usage_stripe_outbox_idx" ON "usage" USING btree ("stripe_state","state","created_at");