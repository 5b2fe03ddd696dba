-- Job leases: one run of a job at a time across the processes that share this
-- file (the server and the CLI).
CREATE TABLE `job_leases` (
	`name` text PRIMARY KEY NOT NULL,
	`holder` text NOT NULL,
	`expires_at` integer NOT NULL
);
