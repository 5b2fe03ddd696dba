CREATE TABLE `api_keys` (
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
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `api_keys_key_hash_uq` ON `api_keys` (`key_hash`);--> statement-breakpoint
CREATE INDEX `api_keys_previous_key_hash_idx` ON `api_keys` (`previous_key_hash`);--> statement-breakpoint
CREATE INDEX `api_keys_user_idx` ON `api_keys` (`user_id`);--> statement-breakpoint
CREATE TABLE `billing_periods` (
	`user_id` text NOT NULL,
	`period` text NOT NULL,
	`ops` integer DEFAULT 0 NOT NULL,
	`total_micro_usd` integer DEFAULT 0 NOT NULL,
	`stripe_invoice_id` text,
	`stripe_subscription_id` text,
	`status` text DEFAULT 'pending' NOT NULL,
	`closed_at` integer,
	PRIMARY KEY(`user_id`, `period`)
);
--> statement-breakpoint
CREATE TABLE `idempotency` (
	`scope` text NOT NULL,
	`key` text NOT NULL,
	`request_hash` text NOT NULL,
	`state` text NOT NULL,
	`status` integer,
	`response` text,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	PRIMARY KEY(`scope`, `key`)
);
--> statement-breakpoint
CREATE TABLE `sessions` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`token_hash` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `sessions_token_hash_uq` ON `sessions` (`token_hash`);--> statement-breakpoint
CREATE TABLE `stripe_events` (
	`id` text PRIMARY KEY NOT NULL,
	`type` text NOT NULL,
	`processed_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `usage` (
	`id` text PRIMARY KEY NOT NULL,
	`key_id` text NOT NULL,
	`user_id` text NOT NULL,
	`agent_id` text NOT NULL,
	`agent_name` text NOT NULL,
	`agent_price_micro_usd` integer NOT NULL,
	`markup_micro_usd` integer NOT NULL,
	`developer_price_micro_usd` integer NOT NULL,
	`wallet_id` text NOT NULL,
	`request_id` text NOT NULL,
	`idempotency_key` text,
	`payment_intent_id` text,
	`state` text NOT NULL,
	`tx_signature` text,
	`receipt_id` text,
	`error` text,
	`stripe_state` text DEFAULT 'none' NOT NULL,
	`stripe_reported_at` integer,
	`created_at` integer NOT NULL,
	`settled_at` integer
);
--> statement-breakpoint
CREATE INDEX `usage_key_created_idx` ON `usage` (`key_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `usage_user_created_idx` ON `usage` (`user_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `usage_state_idx` ON `usage` (`state`);--> statement-breakpoint
CREATE INDEX `usage_stripe_state_idx` ON `usage` (`stripe_state`);--> statement-breakpoint
CREATE TABLE `usage_periods` (
	`key_id` text NOT NULL,
	`period` text NOT NULL,
	`ops` integer DEFAULT 0 NOT NULL,
	`spend_micro_usd` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`key_id`, `period`)
);
--> statement-breakpoint
CREATE TABLE `users` (
	`id` text PRIMARY KEY NOT NULL,
	`email` text NOT NULL,
	`password_hash` text NOT NULL,
	`stripe_customer_id` text,
	`card_verified_at` integer,
	`tier` text DEFAULT 'free' NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `users_email_uq` ON `users` (`email`);--> statement-breakpoint
CREATE TABLE `wallet_pool` (
	`id` text PRIMARY KEY NOT NULL,
	`public_key` text NOT NULL,
	`encrypted_secret` text NOT NULL,
	`usdc_balance` integer DEFAULT 0 NOT NULL,
	`lamports` integer DEFAULT 0 NOT NULL,
	`last_balance_check_at` integer,
	`last_balance_error` text,
	`assigned_key_count` integer DEFAULT 0 NOT NULL,
	`status` text DEFAULT 'active' NOT NULL,
	`created_at` integer NOT NULL,
	`rotated_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `wallet_pool_public_key_uq` ON `wallet_pool` (`public_key`);