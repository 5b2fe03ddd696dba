-- Meter events carry a batch of a customer's rows under an identifier
-- written on the rows before the event is sent, and reporters lease users
-- (stripe_report_leases) instead of rows; usage's stripe_lease_* columns are
-- no longer written. Rows still pending at this upgrade may have reached
-- Stripe already under their own id (the identifier of one event per row),
-- so each becomes a batch of one under that id: a resend is then the same
-- event, and Stripe drops it.
CREATE TABLE `stripe_report_leases` (
	`user_id` text PRIMARY KEY NOT NULL,
	`owner` text NOT NULL,
	`until` integer NOT NULL,
	`served_at` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
ALTER TABLE `usage` ADD `stripe_batch_id` text;--> statement-breakpoint
CREATE INDEX `usage_stripe_batch_idx` ON `usage` (`stripe_batch_id`) WHERE stripe_batch_id is not null;--> statement-breakpoint
CREATE INDEX `usage_stripe_pending_idx` ON `usage` (`user_id`,`created_at`) WHERE stripe_state = 'pending';--> statement-breakpoint
CREATE INDEX `billing_usage_pending_idx` ON `billing_usage` (`user_id`) WHERE pending_rows > 0;--> statement-breakpoint
UPDATE `usage` SET `stripe_batch_id` = `id` WHERE `stripe_state` = 'pending' AND `stripe_batch_id` IS NULL;
