-- Rows written before one payment per call was enforced may share a payment
-- signature or intent. The earliest row keeps it; the others lose the claim
-- (kept in "error" for the operator), so the audit reports any of them that
-- was settled as settled without a payment of its own.
UPDATE "usage" SET "error" = 'shared payment signature ' || "tx_signature" || coalesce('; ' || "error", ''), "tx_signature" = NULL
WHERE "id" IN (SELECT "id" FROM (SELECT "id", row_number() OVER (PARTITION BY "tx_signature" ORDER BY "id") AS "n" FROM "usage" WHERE "tx_signature" IS NOT NULL) AS "ranked" WHERE "n" > 1);--> statement-breakpoint
UPDATE "usage" SET "error" = 'shared payment intent ' || "payment_intent_id" || coalesce('; ' || "error", ''), "payment_intent_id" = NULL
WHERE "id" IN (SELECT "id" FROM (SELECT "id", row_number() OVER (PARTITION BY "payment_intent_id" ORDER BY "id") AS "n" FROM "usage" WHERE "payment_intent_id" IS NOT NULL) AS "ranked" WHERE "n" > 1);--> statement-breakpoint
-- Period counters become a function of the rows (reservations are rows from
-- now on): reservations a crash leaked are given back here.
UPDATE "usage_periods" SET
  "ops" = (SELECT count(*) FROM "usage" "u" WHERE "u"."key_id" = "usage_periods"."key_id" AND "u"."state" IN ('pending', 'unknown', 'settled')
    AND "u"."created_at" >= extract(epoch FROM ("usage_periods"."period" || '-01 00:00:00+00')::timestamptz) * 1000
    AND "u"."created_at" < extract(epoch FROM ("usage_periods"."period" || '-01 00:00:00+00')::timestamptz + interval '1 month') * 1000),
  "spend_micro_usd" = (SELECT coalesce(sum("u"."developer_price_micro_usd"), 0) FROM "usage" "u" WHERE "u"."key_id" = "usage_periods"."key_id" AND "u"."state" IN ('pending', 'unknown', 'settled')
    AND "u"."created_at" >= extract(epoch FROM ("usage_periods"."period" || '-01 00:00:00+00')::timestamptz) * 1000
    AND "u"."created_at" < extract(epoch FROM ("usage_periods"."period" || '-01 00:00:00+00')::timestamptz + interval '1 month') * 1000);--> statement-breakpoint
CREATE UNIQUE INDEX "usage_tx_signature_uq" ON "usage" USING btree ("tx_signature");--> statement-breakpoint
CREATE UNIQUE INDEX "usage_payment_intent_uq" ON "usage" USING btree ("payment_intent_id");
