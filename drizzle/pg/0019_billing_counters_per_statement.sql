-- The billing counters follow an UPDATE of usage rows once per statement:
-- the statement's changes, summed per user and month from its transition
-- tables, in one upsert per counter row. The row trigger it replaces wrote
-- the same counter row once per usage row: marking a meter batch of 100 calls
-- reported wrote one counter row 100 times (about two thirds of that
-- statement's time). A one-row update (a call's settle) costs a little more,
-- about 30 µs in pgbench. The rule per row is the one usage_billing_counters applies (a
-- live settled row counts; what it was is taken out, what it is put in).
-- Inserts and deletes keep their row triggers, whose function
-- (usage_billing_counters, 0017) still holds an UPDATE branch no trigger
-- reaches any more. The counters still equal the rows (the money audit
-- checks it).
DROP TRIGGER IF EXISTS "usage_billing_counters_update" ON "usage";--> statement-breakpoint
CREATE OR REPLACE FUNCTION "usage_billing_counters_of_update"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "billing_usage" ("user_id", "period", "settled_ops", "settled_micro_usd", "pending_rows", "pending_micro_usd", "reported_rows", "reported_micro_usd", "flagged_rows", "flagged_micro_usd")
  SELECT "user_id", "period", sum("settled_ops"), sum("settled_micro_usd"), sum("pending_rows"), sum("pending_micro_usd"), sum("reported_rows"), sum("reported_micro_usd"), sum("flagged_rows"), sum("flagged_micro_usd")
  FROM (
    SELECT n."user_id", to_char(to_timestamp(n."created_at" / 1000.0) AT TIME ZONE 'UTC', 'YYYY-MM') AS "period", 1 AS "settled_ops", n."developer_price_micro_usd" AS "settled_micro_usd",
      (CASE WHEN n."stripe_state" = 'pending' THEN 1 ELSE 0 END) AS "pending_rows", (CASE WHEN n."stripe_state" = 'pending' THEN n."developer_price_micro_usd" ELSE 0 END) AS "pending_micro_usd",
      (CASE WHEN n."stripe_state" = 'reported' THEN 1 ELSE 0 END) AS "reported_rows", (CASE WHEN n."stripe_state" = 'reported' THEN n."developer_price_micro_usd" ELSE 0 END) AS "reported_micro_usd",
      (CASE WHEN n."stripe_state" = 'flagged' THEN 1 ELSE 0 END) AS "flagged_rows", (CASE WHEN n."stripe_state" = 'flagged' THEN n."developer_price_micro_usd" ELSE 0 END) AS "flagged_micro_usd"
    FROM "usage_updated_new" n WHERE n."state" = 'settled' AND n."environment" = 'live'
    UNION ALL
    SELECT o."user_id", to_char(to_timestamp(o."created_at" / 1000.0) AT TIME ZONE 'UTC', 'YYYY-MM'), -1, -o."developer_price_micro_usd",
      -(CASE WHEN o."stripe_state" = 'pending' THEN 1 ELSE 0 END), -(CASE WHEN o."stripe_state" = 'pending' THEN o."developer_price_micro_usd" ELSE 0 END),
      -(CASE WHEN o."stripe_state" = 'reported' THEN 1 ELSE 0 END), -(CASE WHEN o."stripe_state" = 'reported' THEN o."developer_price_micro_usd" ELSE 0 END),
      -(CASE WHEN o."stripe_state" = 'flagged' THEN 1 ELSE 0 END), -(CASE WHEN o."stripe_state" = 'flagged' THEN o."developer_price_micro_usd" ELSE 0 END)
    FROM "usage_updated_old" o WHERE o."state" = 'settled' AND o."environment" = 'live'
  ) AS "changes"
  GROUP BY "user_id", "period"
  -- A move that changes no count (a batch id written, a row's error) writes nothing.
  HAVING sum("settled_ops") <> 0 OR sum("settled_micro_usd") <> 0 OR sum("pending_rows") <> 0 OR sum("pending_micro_usd") <> 0
    OR sum("reported_rows") <> 0 OR sum("reported_micro_usd") <> 0 OR sum("flagged_rows") <> 0 OR sum("flagged_micro_usd") <> 0
  -- One order for every statement: two of them may wait on each other's counter rows, never in a cycle.
  ORDER BY "user_id", "period"
  ON CONFLICT ("user_id", "period") DO UPDATE SET "settled_ops" = "billing_usage"."settled_ops" + excluded."settled_ops", "settled_micro_usd" = "billing_usage"."settled_micro_usd" + excluded."settled_micro_usd", "pending_rows" = "billing_usage"."pending_rows" + excluded."pending_rows", "pending_micro_usd" = "billing_usage"."pending_micro_usd" + excluded."pending_micro_usd", "reported_rows" = "billing_usage"."reported_rows" + excluded."reported_rows", "reported_micro_usd" = "billing_usage"."reported_micro_usd" + excluded."reported_micro_usd", "flagged_rows" = "billing_usage"."flagged_rows" + excluded."flagged_rows", "flagged_micro_usd" = "billing_usage"."flagged_micro_usd" + excluded."flagged_micro_usd";
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE TRIGGER "usage_billing_counters_update" AFTER UPDATE ON "usage" REFERENCING OLD TABLE AS "usage_updated_old" NEW TABLE AS "usage_updated_new" FOR EACH STATEMENT EXECUTE FUNCTION "usage_billing_counters_of_update"();
