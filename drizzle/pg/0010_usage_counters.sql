-- Counters of settled calls per key, UTC day and agent, kept with each
-- settlement, so the developer's reads stop scanning the month's rows; and
-- the history's indexes in its order (newest id first). Backfilled from the
-- settled rows.
CREATE TABLE "usage_agent_days" (
	"key_id" text NOT NULL,
	"day" text NOT NULL,
	"agent_id" text NOT NULL,
	"user_id" text NOT NULL,
	"agent_name" text NOT NULL,
	"calls" bigint DEFAULT 0 NOT NULL,
	"spend_micro_usd" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "usage_agent_days_key_id_day_agent_id_pk" PRIMARY KEY("key_id","day","agent_id")
);
--> statement-breakpoint
DROP INDEX "usage_key_created_idx";--> statement-breakpoint
CREATE INDEX "usage_agent_days_user_day_idx" ON "usage_agent_days" USING btree ("user_id","day");--> statement-breakpoint
CREATE INDEX "usage_key_id_idx" ON "usage" USING btree ("key_id","id");--> statement-breakpoint
CREATE INDEX "usage_user_id_idx" ON "usage" USING btree ("user_id","id");--> statement-breakpoint
INSERT INTO "usage_agent_days" ("key_id", "day", "agent_id", "user_id", "agent_name", "calls", "spend_micro_usd")
SELECT "key_id", to_char(to_timestamp("created_at" / 1000.0) AT TIME ZONE 'UTC', 'YYYY-MM-DD'), "agent_id", max("user_id"), max("agent_name"), count(*), sum("developer_price_micro_usd")
FROM "usage" WHERE "state" = 'settled'
GROUP BY "key_id", to_char(to_timestamp("created_at" / 1000.0) AT TIME ZONE 'UTC', 'YYYY-MM-DD'), "agent_id";
