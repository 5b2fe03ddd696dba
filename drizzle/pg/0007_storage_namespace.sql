-- Each key gets a storage namespace of its own, the input.wallet storage
-- agents receive. Keys that exist keep the one their data is stored under,
-- `tdk_<id>`; new keys get a random one from the application.
ALTER TABLE "api_keys" ADD COLUMN "storage_namespace" text;--> statement-breakpoint
UPDATE "api_keys" SET "storage_namespace" = 'tdk_' || "id";--> statement-breakpoint
ALTER TABLE "api_keys" ALTER COLUMN "storage_namespace" SET NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "api_keys_storage_namespace_uq" ON "api_keys" USING btree ("storage_namespace");
