ALTER TABLE `usage` ADD `price_token` text DEFAULT 'USDC' NOT NULL;--> statement-breakpoint
ALTER TABLE `usage` ADD `price_base` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `usage` ADD `sol_rate_micro_usd` integer;