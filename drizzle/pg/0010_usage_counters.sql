-- Counters of settled calls per key, UTC day and agent, kept by triggers on
-- usage in the statement that settles (or otherwise changes) a row, whatever
-- release or path wrote it, so the developer's reads stop scanning the
-- month's rows; and the history's indexes in its order (newest id first).
-- Backfilled from the settled rows.
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
CREATE FUNCTION "usage_day_counters"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') AND OLD."state" = 'settled' THEN
    INSERT INTO "usage_agent_days" ("key_id", "day", "agent_id", "user_id", "agent_name", "calls", "spend_micro_usd") VALUES (OLD."key_id", to_char(to_timestamp(OLD."created_at" / 1000.0) AT TIME ZONE 'UTC', 'YYYY-MM-DD'), OLD."agent_id", OLD."user_id", OLD."agent_name", -1, -OLD."developer_price_micro_usd") ON CONFLICT ("key_id", "day", "agent_id") DO UPDATE SET "calls" = "usage_agent_days"."calls" + excluded."calls", "spend_micro_usd" = "usage_agent_days"."spend_micro_usd" + excluded."spend_micro_usd", "agent_name" = CASE WHEN excluded."calls" > 0 THEN excluded."agent_name" ELSE "usage_agent_days"."agent_name" END;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') AND NEW."state" = 'settled' THEN
    INSERT INTO "usage_agent_days" ("key_id", "day", "agent_id", "user_id", "agent_name", "calls", "spend_micro_usd") VALUES (NEW."key_id", to_char(to_timestamp(NEW."created_at" / 1000.0) AT TIME ZONE 'UTC', 'YYYY-MM-DD'), NEW."agent_id", NEW."user_id", NEW."agent_name", 1, NEW."developer_price_micro_usd") ON CONFLICT ("key_id", "day", "agent_id") DO UPDATE SET "calls" = "usage_agent_days"."calls" + excluded."calls", "spend_micro_usd" = "usage_agent_days"."spend_micro_usd" + excluded."spend_micro_usd", "agent_name" = CASE WHEN excluded."calls" > 0 THEN excluded."agent_name" ELSE "usage_agent_days"."agent_name" END;
  END IF;
  RETURN NULL;
END
$$;--> statement-breakpoint
-- One trigger per operation, each with a WHEN, so the function runs only for
-- a settled row: reserving, claiming and releasing a call never call it.
CREATE TRIGGER "usage_day_counters_insert" AFTER INSERT ON "usage" FOR EACH ROW WHEN (NEW."state" = 'settled') EXECUTE FUNCTION "usage_day_counters"();--> statement-breakpoint
CREATE TRIGGER "usage_day_counters_update" AFTER UPDATE OF "state", "key_id", "user_id", "agent_id", "agent_name", "developer_price_micro_usd", "created_at" ON "usage" FOR EACH ROW WHEN (OLD."state" = 'settled' OR NEW."state" = 'settled') EXECUTE FUNCTION "usage_day_counters"();--> statement-breakpoint
CREATE TRIGGER "usage_day_counters_delete" AFTER DELETE ON "usage" FOR EACH ROW WHEN (OLD."state" = 'settled') EXECUTE FUNCTION "usage_day_counters"();--> statement-breakpoint
INSERT INTO "usage_agent_days" ("key_id", "day", "agent_id", "user_id", "agent_name", "calls", "spend_micro_usd")
SELECT "key_id", to_char(to_timestamp("created_at" / 1000.0) AT TIME ZONE 'UTC', 'YYYY-MM-DD'), "agent_id", max("user_id"), max("agent_name"), count(*), sum("developer_price_micro_usd")
FROM "usage" WHERE "state" = 'settled'
GROUP BY "key_id", to_char(to_timestamp("created_at" / 1000.0) AT TIME ZONE 'UTC', 'YYYY-MM-DD'), "agent_id";
