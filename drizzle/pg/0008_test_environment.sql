-- Test keys run on the built-in sandbox with a pool of their own: wallets and
-- usage rows say which environment they belong to. Everything that exists is
-- live (it paid on the configured network), so the default is the backfill.
ALTER TABLE "usage" ADD COLUMN "environment" text DEFAULT 'live' NOT NULL;--> statement-breakpoint
ALTER TABLE "wallet_pool" ADD COLUMN "environment" text DEFAULT 'live' NOT NULL;
