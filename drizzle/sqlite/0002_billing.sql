ALTER TABLE `usage` ADD `stripe_lease_owner` text;--> statement-breakpoint
ALTER TABLE `usage` ADD `stripe_lease_until` integer;--> statement-breakpoint
ALTER TABLE `usage` ADD `stripe_error` text;--> statement-breakpoint
CREATE INDEX `usage_stripe_outbox_idx` ON `usage` (`stripe_state`,`state`,`created_at`);