-- Meter events carry a batch of a customer's rows under an identifier
-- written on the rows before the event is sent. Rows still pending at this
-- upgrade may have reached Stripe already under their own id (the identifier
-- one event per row used), so each becomes a batch of one under that id: a
-- resend is then the same event, and Stripe drops it.
ALTER TABLE "usage" ADD COLUMN "stripe_batch_id" text;--> statement-breakpoint
CREATE INDEX "usage_stripe_batch_idx" ON "usage" USING btree ("stripe_batch_id") WHERE stripe_batch_id is not null;--> statement-breakpoint
UPDATE "usage" SET "stripe_batch_id" = "id" WHERE "stripe_state" = 'pending' AND "stripe_batch_id" IS NULL;
