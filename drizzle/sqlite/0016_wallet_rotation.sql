-- Wallet rotation and sweep: the wallet that holds each key's storage data
-- (set on its first storage call, kept through rotation), and when a wallet
-- was retired, what replaced it, and its sweep to the treasury.
ALTER TABLE `api_keys` ADD `storage_wallet_id` text;--> statement-breakpoint
CREATE INDEX `api_keys_storage_wallet_idx` ON `api_keys` (`storage_wallet_id`);--> statement-breakpoint
ALTER TABLE `wallet_pool` ADD `retired_at` integer;--> statement-breakpoint
ALTER TABLE `wallet_pool` ADD `replaced_by` text;--> statement-breakpoint
ALTER TABLE `wallet_pool` ADD `swept_at` integer;--> statement-breakpoint
ALTER TABLE `wallet_pool` ADD `sweep_signature` text;