-- Each key gets a storage namespace of its own, the input.wallet storage
-- agents receive. Keys that exist keep the one their data is stored under,
-- `tdk_<id>`; new keys get a random one from the application. SQLite cannot
-- add a NOT NULL column without a default, so the table is rebuilt (nothing
-- references api_keys).
CREATE TABLE `__new_api_keys` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`key_hash` text NOT NULL,
	`prefix` text NOT NULL,
	`name` text NOT NULL,
	`environment` text NOT NULL,
	`tier` text NOT NULL,
	`rate_limit_per_minute` integer,
	`monthly_quota` integer,
	`concurrency_limit` integer,
	`monthly_spend_cap_micro_usd` integer,
	`wallet_id` text,
	`status` text DEFAULT 'active' NOT NULL,
	`status_reason` text,
	`previous_key_hash` text,
	`previous_key_grace_until` integer,
	`created_at` integer NOT NULL,
	`last_used_at` integer,
	`revoked_at` integer,
	`expires_at` integer,
	`storage_namespace` text NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
INSERT INTO `__new_api_keys` (`id`, `user_id`, `key_hash`, `prefix`, `name`, `environment`, `tier`, `rate_limit_per_minute`, `monthly_quota`, `concurrency_limit`, `monthly_spend_cap_micro_usd`, `wallet_id`, `status`, `status_reason`, `previous_key_hash`, `previous_key_grace_until`, `created_at`, `last_used_at`, `revoked_at`, `expires_at`, `storage_namespace`)
SELECT `id`, `user_id`, `key_hash`, `prefix`, `name`, `environment`, `tier`, `rate_limit_per_minute`, `monthly_quota`, `concurrency_limit`, `monthly_spend_cap_micro_usd`, `wallet_id`, `status`, `status_reason`, `previous_key_hash`, `previous_key_grace_until`, `created_at`, `last_used_at`, `revoked_at`, `expires_at`, 'tdk_' || `id` FROM `api_keys`;--> statement-breakpoint
DROP TABLE `api_keys`;--> statement-breakpoint
ALTER TABLE `__new_api_keys` RENAME TO `api_keys`;--> statement-breakpoint
CREATE UNIQUE INDEX `api_keys_key_hash_uq` ON `api_keys` (`key_hash`);--> statement-breakpoint
CREATE INDEX `api_keys_previous_key_hash_idx` ON `api_keys` (`previous_key_hash`);--> statement-breakpoint
CREATE INDEX `api_keys_user_idx` ON `api_keys` (`user_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `api_keys_storage_namespace_uq` ON `api_keys` (`storage_namespace`);
