-- Counters of settled calls per key, UTC day and agent, kept with each
-- settlement, so the developer's reads stop scanning the month's rows; and
-- the history's indexes in its order (newest id first). Backfilled from the
-- settled rows.
CREATE TABLE `usage_agent_days` (
	`key_id` text NOT NULL,
	`day` text NOT NULL,
	`agent_id` text NOT NULL,
	`user_id` text NOT NULL,
	`agent_name` text NOT NULL,
	`calls` integer DEFAULT 0 NOT NULL,
	`spend_micro_usd` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`key_id`, `day`, `agent_id`)
);
--> statement-breakpoint
CREATE INDEX `usage_agent_days_user_day_idx` ON `usage_agent_days` (`user_id`,`day`);--> statement-breakpoint
DROP INDEX `usage_key_created_idx`;--> statement-breakpoint
CREATE INDEX `usage_key_id_idx` ON `usage` (`key_id`,`id`);--> statement-breakpoint
CREATE INDEX `usage_user_id_idx` ON `usage` (`user_id`,`id`);--> statement-breakpoint
INSERT INTO `usage_agent_days` (`key_id`, `day`, `agent_id`, `user_id`, `agent_name`, `calls`, `spend_micro_usd`)
SELECT `key_id`, strftime('%Y-%m-%d', `created_at` / 1000, 'unixepoch'), `agent_id`, max(`user_id`), max(`agent_name`), count(*), sum(`developer_price_micro_usd`)
FROM `usage` WHERE `state` = 'settled'
GROUP BY `key_id`, strftime('%Y-%m-%d', `created_at` / 1000, 'unixepoch'), `agent_id`;
