// Shared-engine backends on the application's Postgres. Each check or
// acquire is ONE statement, an upsert on the key's row: ON CONFLICT DO UPDATE
// locks the row and evaluates its SET and WHERE against the latest committed
// version, so concurrent instances serialise per key and never over-grant.
// `now` is passed in (Effect's Clock), so tests move time and every instance
// must keep its clock in sync (NTP), as any TTL across machines needs.
import type postgres from "postgres"
import { Effect } from "effect"
import { attemptBackend } from "./attempt"
import type { LimiterUnavailable } from "./errors"
import { describe, gcraParams, type GcraDecision } from "./gcra"
import type { Lease, LeaseStore } from "./model"

export const postgresGcra = (sql: postgres.Sql, timeoutMs: number) =>
  (keyId: string, limitPerMinute: number, nowMs: number): Effect.Effect<GcraDecision, LimiterUnavailable> => {
    const params = gcraParams(limitPerMinute)
    const { intervalUs, periodUs } = params
    const nowUs = nowMs * 1000
    // last_allowed records which branch ran: RETURNING cannot show the old TAT.
    return attemptBackend("postgres", "rate limit check", timeoutMs, () =>
      sql<Array<{ tat_us: string; last_allowed: number }>>`
        insert into rate_limits as r (key_id, tat_us, last_allowed)
        values (${keyId}, ${nowUs}::bigint + ${intervalUs}::bigint, 1)
        on conflict (key_id) do update set
          tat_us = case when greatest(r.tat_us, ${nowUs}::bigint) + ${intervalUs}::bigint - ${periodUs}::bigint <= ${nowUs}::bigint
            then greatest(r.tat_us, ${nowUs}::bigint) + ${intervalUs}::bigint else r.tat_us end,
          last_allowed = case when greatest(r.tat_us, ${nowUs}::bigint) + ${intervalUs}::bigint - ${periodUs}::bigint <= ${nowUs}::bigint
            then 1 else 0 end
        returning tat_us, last_allowed`,
    ).pipe(Effect.map((rows) => describe(nowMs, Number(rows[0]!.tat_us), limitPerMinute, Number(rows[0]!.last_allowed) === 1, params)))
  }

/**
 * Leases live in one row per key as a JSON object `{lease id: expiry ms}`.
 * One row per lease cannot be granted exactly in one statement: a count over
 * other rows reads the statement's snapshot, which a concurrent insert does
 * not change, so 50 racing acquires would each see 9 and all succeed.
 */
export const postgresLeases = (sql: postgres.Sql, timeoutMs: number): LeaseStore => ({
  backend: "postgres",
  tryAcquire: (lease: Lease, limit: number, nowMs: number) =>
    attemptBackend("postgres", "concurrency acquire", timeoutMs, () =>
      sql<Array<{ key_id: string }>>`
        insert into concurrency_leases as c (key_id, leases, updated_at)
        values (${lease.keyId}, jsonb_build_object(${lease.leaseId}::text, ${lease.expiresAt}::bigint), ${nowMs}::bigint)
        on conflict (key_id) do update set
          leases = (select coalesce(jsonb_object_agg(e.key, e.value), '{}'::jsonb)
                      from jsonb_each(c.leases) e where (e.value)::bigint > ${nowMs}::bigint)
                   || jsonb_build_object(${lease.leaseId}::text, ${lease.expiresAt}::bigint),
          updated_at = ${nowMs}::bigint
        where (select count(*) from jsonb_each(c.leases) e where (e.value)::bigint > ${nowMs}::bigint) < ${limit}::int
        returning key_id`,
    ).pipe(Effect.map((rows) => rows.length === 1)),
  release: (lease: Lease) =>
    attemptBackend("postgres", "concurrency release", timeoutMs, () =>
      sql`update concurrency_leases set leases = leases - ${lease.leaseId}::text where key_id = ${lease.keyId}`,
    ).pipe(Effect.asVoid),
  inFlight: (keyId: string, nowMs: number) =>
    attemptBackend("postgres", "concurrency count", timeoutMs, () =>
      sql<Array<{ n: string }>>`
        select count(*) as n from concurrency_leases c, jsonb_each(c.leases) e
        where c.key_id = ${keyId} and (e.value)::bigint > ${nowMs}::bigint`,
    ).pipe(Effect.map((rows) => Number(rows[0]?.n ?? 0))),
})
