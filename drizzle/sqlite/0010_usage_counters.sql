-- Counters of settled calls per key, UTC day and agent, kept by triggers on
-- usage in the statement that settles (or otherwise changes) a row, whatever
-- release or path wrote it, so the developer's reads stop scanning the
-- month's rows; and the history's indexes in its order (newest id first).
-- Backfilled from the settled rows.
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
CREATE TRIGGER `usage_days_insert` AFTER INSERT ON `usage` WHEN new.`state` = 'settled' BEGIN
  INSERT INTO `usage_agent_days` (`key_id`, `day`, `agent_id`, `user_id`, `agent_name`, `calls`, `spend_micro_usd`) SELECT new.`key_id`, strftime('%Y-%m-%d', new.`created_at` / 1000, 'unixepoch'), new.`agent_id`, new.`user_id`, new.`agent_name`, 1, new.`developer_price_micro_usd` WHERE new.`state` = 'settled' ON CONFLICT (`key_id`, `day`, `agent_id`) DO UPDATE SET `calls` = `usage_agent_days`.`calls` + excluded.`calls`, `spend_micro_usd` = `usage_agent_days`.`spend_micro_usd` + excluded.`spend_micro_usd`, `agent_name` = CASE WHEN excluded.`calls` > 0 THEN excluded.`agent_name` ELSE `usage_agent_days`.`agent_name` END;
END;--> statement-breakpoint
CREATE TRIGGER `usage_days_update` AFTER UPDATE OF `state`, `key_id`, `user_id`, `agent_id`, `agent_name`, `developer_price_micro_usd`, `created_at` ON `usage` WHEN old.`state` = 'settled' OR new.`state` = 'settled' BEGIN
  INSERT INTO `usage_agent_days` (`key_id`, `day`, `agent_id`, `user_id`, `agent_name`, `calls`, `spend_micro_usd`) SELECT old.`key_id`, strftime('%Y-%m-%d', old.`created_at` / 1000, 'unixepoch'), old.`agent_id`, old.`user_id`, old.`agent_name`, -1, -old.`developer_price_micro_usd` WHERE old.`state` = 'settled' ON CONFLICT (`key_id`, `day`, `agent_id`) DO UPDATE SET `calls` = `usage_agent_days`.`calls` + excluded.`calls`, `spend_micro_usd` = `usage_agent_days`.`spend_micro_usd` + excluded.`spend_micro_usd`, `agent_name` = CASE WHEN excluded.`calls` > 0 THEN excluded.`agent_name` ELSE `usage_agent_days`.`agent_name` END;
  INSERT INTO `usage_agent_days` (`key_id`, `day`, `agent_id`, `user_id`, `agent_name`, `calls`, `spend_micro_usd`) SELECT new.`key_id`, strftime('%Y-%m-%d', new.`created_at` / 1000, 'unixepoch'), new.`agent_id`, new.`user_id`, new.`agent_name`, 1, new.`developer_price_micro_usd` WHERE new.`state` = 'settled' ON CONFLICT (`key_id`, `day`, `agent_id`) DO UPDATE SET `calls` = `usage_agent_days`.`calls` + excluded.`calls`, `spend_micro_usd` = `usage_agent_days`.`spend_micro_usd` + excluded.`spend_micro_usd`, `agent_name` = CASE WHEN excluded.`calls` > 0 THEN excluded.`agent_name` ELSE `usage_agent_days`.`agent_name` END;
END;--> statement-breakpoint
CREATE TRIGGER `usage_days_delete` AFTER DELETE ON `usage` WHEN old.`state` = 'settled' BEGIN
  INSERT INTO `usage_agent_days` (`key_id`, `day`, `agent_id`, `user_id`, `agent_name`, `calls`, `spend_micro_usd`) SELECT old.`key_id`, strftime('%Y-%m-%d', old.`created_at` / 1000, 'unixepoch'), old.`agent_id`, old.`user_id`, old.`agent_name`, -1, -old.`developer_price_micro_usd` WHERE old.`state` = 'settled' ON CONFLICT (`key_id`, `day`, `agent_id`) DO UPDATE SET `calls` = `usage_agent_days`.`calls` + excluded.`calls`, `spend_micro_usd` = `usage_agent_days`.`spend_micro_usd` + excluded.`spend_micro_usd`, `agent_name` = CASE WHEN excluded.`calls` > 0 THEN excluded.`agent_name` ELSE `usage_agent_days`.`agent_name` END;
END;--> statement-breakpoint
INSERT INTO `usage_agent_days` (`key_id`, `day`, `agent_id`, `user_id`, `agent_name`, `calls`, `spend_micro_usd`)
SELECT `key_id`, strftime('%Y-%m-%d', `created_at` / 1000, 'unixepoch'), `agent_id`, max(`user_id`), max(`agent_name`), count(*), sum(`developer_price_micro_usd`)
FROM `usage` WHERE `state` = 'settled'
GROUP BY `key_id`, strftime('%Y-%m-%d', `created_at` / 1000, 'unixepoch'), `agent_id`;
