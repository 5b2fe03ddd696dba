CREATE TABLE `concurrency_leases` (
	`key_id` text PRIMARY KEY NOT NULL,
	`leases` text NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `rate_limits` (
	`key_id` text PRIMARY KEY NOT NULL,
	`tat_us` integer NOT NULL,
	`last_allowed` integer NOT NULL
);
