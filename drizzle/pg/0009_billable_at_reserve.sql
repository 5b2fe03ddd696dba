-- Whether a call is billed is decided when it is reserved, from its key's
-- environment and tier then, and written on the row; settlement only reads
-- it. Backfill: a settled row keeps what its settlement decided; an open or
-- failed row takes its key's tier now, as the reconciler would have. No
-- default: a row an older release reserves during a rolling upgrade stays
-- null, and settling it decides by the key's tier, as that release did.
ALTER TABLE "usage" ADD COLUMN "billable" boolean;--> statement-breakpoint
UPDATE "usage" SET "billable" = CASE
  WHEN "state" = 'settled' THEN "stripe_state" <> 'skipped'
  WHEN "environment" = 'test' THEN false
  ELSE coalesce((SELECT "tier" <> 'free' FROM "api_keys" WHERE "api_keys"."id" = "usage"."key_id"), false)
END;
