-- A user's live settled calls per period and where their billing stands
-- with Stripe, kept by triggers on usage in the statement that changes a
-- row: settling, reporting, flagging (or any other path) moves them, so they
-- always equal the rows; billing reads, the reconciliation and the monthly
-- close read them instead of the month's rows. Backfilled from the rows.
CREATE TABLE "billing_usage" (
	"user_id" text NOT NULL,
	"period" text NOT NULL,
	"settled_ops" bigint DEFAULT 0 NOT NULL,
	"settled_micro_usd" bigint DEFAULT 0 NOT NULL,
	"pending_rows" bigint DEFAULT 0 NOT NULL,
	"pending_micro_usd" bigint DEFAULT 0 NOT NULL,
	"reported_rows" bigint DEFAULT 0 NOT NULL,
	"reported_micro_usd" bigint DEFAULT 0 NOT NULL,
	"flagged_rows" bigint DEFAULT 0 NOT NULL,
	"flagged_micro_usd" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "billing_usage_user_id_period_pk" PRIMARY KEY("user_id","period")
);--> statement-breakpoint
CREATE FUNCTION "usage_billing_counters"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') AND OLD."state" = 'settled' AND OLD."environment" = 'live' THEN
    INSERT INTO "billing_usage" ("user_id", "period", "settled_ops", "settled_micro_usd", "pending_rows", "pending_micro_usd", "reported_rows", "reported_micro_usd", "flagged_rows", "flagged_micro_usd") VALUES (OLD."user_id", to_char(to_timestamp(OLD."created_at" / 1000.0) AT TIME ZONE 'UTC', 'YYYY-MM'), -1, -OLD."developer_price_micro_usd", -(CASE WHEN OLD."stripe_state" = 'pending' THEN 1 ELSE 0 END), -(CASE WHEN OLD."stripe_state" = 'pending' THEN OLD."developer_price_micro_usd" ELSE 0 END), -(CASE WHEN OLD."stripe_state" = 'reported' THEN 1 ELSE 0 END), -(CASE WHEN OLD."stripe_state" = 'reported' THEN OLD."developer_price_micro_usd" ELSE 0 END), -(CASE WHEN OLD."stripe_state" = 'flagged' THEN 1 ELSE 0 END), -(CASE WHEN OLD."stripe_state" = 'flagged' THEN OLD."developer_price_micro_usd" ELSE 0 END)) ON CONFLICT ("user_id", "period") DO UPDATE SET "settled_ops" = "billing_usage"."settled_ops" + excluded."settled_ops", "settled_micro_usd" = "billing_usage"."settled_micro_usd" + excluded."settled_micro_usd", "pending_rows" = "billing_usage"."pending_rows" + excluded."pending_rows", "pending_micro_usd" = "billing_usage"."pending_micro_usd" + excluded."pending_micro_usd", "reported_rows" = "billing_usage"."reported_rows" + excluded."reported_rows", "reported_micro_usd" = "billing_usage"."reported_micro_usd" + excluded."reported_micro_usd", "flagged_rows" = "billing_usage"."flagged_rows" + excluded."flagged_rows", "flagged_micro_usd" = "billing_usage"."flagged_micro_usd" + excluded."flagged_micro_usd";
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') AND NEW."state" = 'settled' AND NEW."environment" = 'live' THEN
    INSERT INTO "billing_usage" ("user_id", "period", "settled_ops", "settled_micro_usd", "pending_rows", "pending_micro_usd", "reported_rows", "reported_micro_usd", "flagged_rows", "flagged_micro_usd") VALUES (NEW."user_id", to_char(to_timestamp(NEW."created_at" / 1000.0) AT TIME ZONE 'UTC', 'YYYY-MM'), 1, NEW."developer_price_micro_usd", (CASE WHEN NEW."stripe_state" = 'pending' THEN 1 ELSE 0 END), (CASE WHEN NEW."stripe_state" = 'pending' THEN NEW."developer_price_micro_usd" ELSE 0 END), (CASE WHEN NEW."stripe_state" = 'reported' THEN 1 ELSE 0 END), (CASE WHEN NEW."stripe_state" = 'reported' THEN NEW."developer_price_micro_usd" ELSE 0 END), (CASE WHEN NEW."stripe_state" = 'flagged' THEN 1 ELSE 0 END), (CASE WHEN NEW."stripe_state" = 'flagged' THEN NEW."developer_price_micro_usd" ELSE 0 END)) ON CONFLICT ("user_id", "period") DO UPDATE SET "settled_ops" = "billing_usage"."settled_ops" + excluded."settled_ops", "settled_micro_usd" = "billing_usage"."settled_micro_usd" + excluded."settled_micro_usd", "pending_rows" = "billing_usage"."pending_rows" + excluded."pending_rows", "pending_micro_usd" = "billing_usage"."pending_micro_usd" + excluded."pending_micro_usd", "reported_rows" = "billing_usage"."reported_rows" + excluded."reported_rows", "reported_micro_usd" = "billing_usage"."reported_micro_usd" + excluded."reported_micro_usd", "flagged_rows" = "billing_usage"."flagged_rows" + excluded."flagged_rows", "flagged_micro_usd" = "billing_usage"."flagged_micro_usd" + excluded."flagged_micro_usd";
  END IF;
  RETURN NULL;
END
$$;--> statement-breakpoint
-- One trigger per operation, each with a WHEN, so the function runs only for
-- a settled row: reserving, claiming and releasing a call never call it.
CREATE TRIGGER "usage_billing_counters_insert" AFTER INSERT ON "usage" FOR EACH ROW WHEN (NEW."state" = 'settled') EXECUTE FUNCTION "usage_billing_counters"();--> statement-breakpoint
CREATE TRIGGER "usage_billing_counters_update" AFTER UPDATE OF "state", "stripe_state", "user_id", "environment", "developer_price_micro_usd", "created_at" ON "usage" FOR EACH ROW WHEN (OLD."state" = 'settled' OR NEW."state" = 'settled') EXECUTE FUNCTION "usage_billing_counters"();--> statement-breakpoint
CREATE TRIGGER "usage_billing_counters_delete" AFTER DELETE ON "usage" FOR EACH ROW WHEN (OLD."state" = 'settled') EXECUTE FUNCTION "usage_billing_counters"();--> statement-breakpoint
INSERT INTO "billing_usage" ("user_id", "period", "settled_ops", "settled_micro_usd", "pending_rows", "pending_micro_usd", "reported_rows", "reported_micro_usd", "flagged_rows", "flagged_micro_usd")
SELECT "user_id", to_char(to_timestamp("created_at" / 1000.0) AT TIME ZONE 'UTC', 'YYYY-MM'), count(*), sum("developer_price_micro_usd"), sum(CASE WHEN "stripe_state" = 'pending' THEN 1 ELSE 0 END), sum(CASE WHEN "stripe_state" = 'pending' THEN "developer_price_micro_usd" ELSE 0 END), sum(CASE WHEN "stripe_state" = 'reported' THEN 1 ELSE 0 END), sum(CASE WHEN "stripe_state" = 'reported' THEN "developer_price_micro_usd" ELSE 0 END), sum(CASE WHEN "stripe_state" = 'flagged' THEN 1 ELSE 0 END), sum(CASE WHEN "stripe_state" = 'flagged' THEN "developer_price_micro_usd" ELSE 0 END)
FROM "usage" WHERE "state" = 'settled' AND "environment" = 'live'
GROUP BY "user_id", to_char(to_timestamp("created_at" / 1000.0) AT TIME ZONE 'UTC', 'YYYY-MM');
