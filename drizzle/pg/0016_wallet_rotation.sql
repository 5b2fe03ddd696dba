-- Wallet rotation and sweep: the wallet that holds each key's storage data
-- (set on its first storage call, kept through rotation), and when a wallet
-- was retired, what replaced it, and its sweep to the treasury.
ALTER TABLE "api_keys" ADD COLUMN "storage_wallet_id" text;--> statement-breakpoint
ALTER TABLE "wallet_pool" ADD COLUMN "retired_at" bigint;--> statement-breakpoint
ALTER TABLE "wallet_pool" ADD COLUMN "replaced_by" text;--> statement-breakpoint
ALTER TABLE "wallet_pool" ADD COLUMN "swept_at" bigint;--> statement-breakpoint
ALTER TABLE "wallet_pool" ADD COLUMN "sweep_signature" text;--> statement-breakpoint
CREATE INDEX "api_keys_storage_wallet_idx" ON "api_keys" USING btree ("storage_wallet_id");