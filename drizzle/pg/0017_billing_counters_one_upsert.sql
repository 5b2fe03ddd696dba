-- The billing counters' trigger, cheaper for the update that keeps a row in
-- its user's month (reporting, flagging, a settle's Stripe state): one upsert
-- of the difference instead of taking the old row out and putting the new one
-- in (two upserts of the same counter row). Every other change is counted as
-- before. The counters still equal the rows (the money audit checks it).
CREATE OR REPLACE FUNCTION "usage_billing_counters"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  counted_before boolean := TG_OP IN ('UPDATE', 'DELETE') AND OLD."state" = 'settled' AND OLD."environment" = 'live';
  counted_after boolean := TG_OP IN ('INSERT', 'UPDATE') AND NEW."state" = 'settled' AND NEW."environment" = 'live';
BEGIN
  IF counted_before AND counted_after AND OLD."user_id" = NEW."user_id"
     AND to_char(to_timestamp(OLD."created_at" / 1000.0) AT TIME ZONE 'UTC', 'YYYY-MM') = to_char(to_timestamp(NEW."created_at" / 1000.0) AT TIME ZONE 'UTC', 'YYYY-MM') THEN
    INSERT INTO "billing_usage" ("user_id", "period", "settled_ops", "settled_micro_usd", "pending_rows", "pending_micro_usd", "reported_rows", "reported_micro_usd", "flagged_rows", "flagged_micro_usd") VALUES (NEW."user_id", to_char(to_timestamp(NEW."created_at" / 1000.0) AT TIME ZONE 'UTC', 'YYYY-MM'), 0, NEW."developer_price_micro_usd" - OLD."developer_price_micro_usd",
      (CASE WHEN NEW."stripe_state" = 'pending' THEN 1 ELSE 0 END) - (CASE WHEN OLD."stripe_state" = 'pending' THEN 1 ELSE 0 END),
      (CASE WHEN NEW."stripe_state" = 'pending' THEN NEW."developer_price_micro_usd" ELSE 0 END) - (CASE WHEN OLD."stripe_state" = 'pending' THEN OLD."developer_price_micro_usd" ELSE 0 END),
      (CASE WHEN NEW."stripe_state" = 'reported' THEN 1 ELSE 0 END) - (CASE WHEN OLD."stripe_state" = 'reported' THEN 1 ELSE 0 END),
      (CASE WHEN NEW."stripe_state" = 'reported' THEN NEW."developer_price_micro_usd" ELSE 0 END) - (CASE WHEN OLD."stripe_state" = 'reported' THEN OLD."developer_price_micro_usd" ELSE 0 END),
      (CASE WHEN NEW."stripe_state" = 'flagged' THEN 1 ELSE 0 END) - (CASE WHEN OLD."stripe_state" = 'flagged' THEN 1 ELSE 0 END),
      (CASE WHEN NEW."stripe_state" = 'flagged' THEN NEW."developer_price_micro_usd" ELSE 0 END) - (CASE WHEN OLD."stripe_state" = 'flagged' THEN OLD."developer_price_micro_usd" ELSE 0 END))
    ON CONFLICT ("user_id", "period") DO UPDATE SET "settled_ops" = "billing_usage"."settled_ops" + excluded."settled_ops", "settled_micro_usd" = "billing_usage"."settled_micro_usd" + excluded."settled_micro_usd", "pending_rows" = "billing_usage"."pending_rows" + excluded."pending_rows", "pending_micro_usd" = "billing_usage"."pending_micro_usd" + excluded."pending_micro_usd", "reported_rows" = "billing_usage"."reported_rows" + excluded."reported_rows", "reported_micro_usd" = "billing_usage"."reported_micro_usd" + excluded."reported_micro_usd", "flagged_rows" = "billing_usage"."flagged_rows" + excluded."flagged_rows", "flagged_micro_usd" = "billing_usage"."flagged_micro_usd" + excluded."flagged_micro_usd";
    RETURN NULL;
  END IF;
  IF counted_before THEN
    INSERT INTO "billing_usage" ("user_id", "period", "settled_ops", "settled_micro_usd", "pending_rows", "pending_micro_usd", "reported_rows", "reported_micro_usd", "flagged_rows", "flagged_micro_usd") VALUES (OLD."user_id", to_char(to_timestamp(OLD."created_at" / 1000.0) AT TIME ZONE 'UTC', 'YYYY-MM'), -1, -OLD."developer_price_micro_usd", -(CASE WHEN OLD."stripe_state" = 'pending' THEN 1 ELSE 0 END), -(CASE WHEN OLD."stripe_state" = 'pending' THEN OLD."developer_price_micro_usd" ELSE 0 END), -(CASE WHEN OLD."stripe_state" = 'reported' THEN 1 ELSE 0 END), -(CASE WHEN OLD."stripe_state" = 'reported' THEN OLD."developer_price_micro_usd" ELSE 0 END), -(CASE WHEN OLD."stripe_state" = 'flagged' THEN 1 ELSE 0 END), -(CASE WHEN OLD."stripe_state" = 'flagged' THEN OLD."developer_price_micro_usd" ELSE 0 END)) ON CONFLICT ("user_id", "period") DO UPDATE SET "settled_ops" = "billing_usage"."settled_ops" + excluded."settled_ops", "settled_micro_usd" = "billing_usage"."settled_micro_usd" + excluded."settled_micro_usd", "pending_rows" = "billing_usage"."pending_rows" + excluded."pending_rows", "pending_micro_usd" = "billing_usage"."pending_micro_usd" + excluded."pending_micro_usd", "reported_rows" = "billing_usage"."reported_rows" + excluded."reported_rows", "reported_micro_usd" = "billing_usage"."reported_micro_usd" + excluded."reported_micro_usd", "flagged_rows" = "billing_usage"."flagged_rows" + excluded."flagged_rows", "flagged_micro_usd" = "billing_usage"."flagged_micro_usd" + excluded."flagged_micro_usd";
  END IF;
  IF counted_after THEN
    INSERT INTO "billing_usage" ("user_id", "period", "settled_ops", "settled_micro_usd", "pending_rows", "pending_micro_usd", "reported_rows", "reported_micro_usd", "flagged_rows", "flagged_micro_usd") VALUES (NEW."user_id", to_char(to_timestamp(NEW."created_at" / 1000.0) AT TIME ZONE 'UTC', 'YYYY-MM'), 1, NEW."developer_price_micro_usd", (CASE WHEN NEW."stripe_state" = 'pending' THEN 1 ELSE 0 END), (CASE WHEN NEW."stripe_state" = 'pending' THEN NEW."developer_price_micro_usd" ELSE 0 END), (CASE WHEN NEW."stripe_state" = 'reported' THEN 1 ELSE 0 END), (CASE WHEN NEW."stripe_state" = 'reported' THEN NEW."developer_price_micro_usd" ELSE 0 END), (CASE WHEN NEW."stripe_state" = 'flagged' THEN 1 ELSE 0 END), (CASE WHEN NEW."stripe_state" = 'flagged' THEN NEW."developer_price_micro_usd" ELSE 0 END)) ON CONFLICT ("user_id", "period") DO UPDATE SET "settled_ops" = "billing_usage"."settled_ops" + excluded."settled_ops", "settled_micro_usd" = "billing_usage"."settled_micro_usd" + excluded."settled_micro_usd", "pending_rows" = "billing_usage"."pending_rows" + excluded."pending_rows", "pending_micro_usd" = "billing_usage"."pending_micro_usd" + excluded."pending_micro_usd", "reported_rows" = "billing_usage"."reported_rows" + excluded."reported_rows", "reported_micro_usd" = "billing_usage"."reported_micro_usd" + excluded."reported_micro_usd", "flagged_rows" = "billing_usage"."flagged_rows" + excluded."flagged_rows", "flagged_micro_usd" = "billing_usage"."flagged_micro_usd" + excluded."flagged_micro_usd";
  END IF;
  RETURN NULL;
END
$$;
