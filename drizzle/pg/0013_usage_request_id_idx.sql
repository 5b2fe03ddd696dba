-- GET /v1/usage/requests/{request_id} looks one call up by its request id,
-- within the caller's user (callers may send their own X-Request-Id, so
-- users can share one), newest id first: one index read, not a scan.
CREATE INDEX "usage_request_id_idx" ON "usage" USING btree ("request_id","user_id","id");
