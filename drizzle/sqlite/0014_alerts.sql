-- Operator alerts: one row per condition and subject, with the state last
-- delivered to ALERT_WEBHOOK_URL, so each start and each clear is sent once.
CREATE TABLE `alerts` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`subject` text NOT NULL,
	`state` text NOT NULL,
	`detail` text NOT NULL,
	`started_at` integer NOT NULL,
	`cleared_at` integer,
	`notified_state` text
);
--> statement-breakpoint
CREATE INDEX `alerts_kind_idx` ON `alerts` (`kind`,`state`);