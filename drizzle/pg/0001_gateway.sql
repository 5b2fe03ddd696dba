ALTER TABLE "usage" ADD COLUMN "price_token" text DEFAULT 'USDC' NOT NULL;--> statement-breakpoint
ALTER TABLE "usage" ADD COLUMN "price_base" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "usage" ADD COLUMN "sol_rate_micro_usd" bigint;