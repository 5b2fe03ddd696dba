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
import { backoffWait, lockMs, MAX_DOUBLINGS, type BackoffDecision, type BackoffRule } from "./backoff"
import { describe, gcraParams, type GcraDecision } from "./gcra"
import type { BackoffStore, Lease, LeaseStore } from "./model"

export const postgresGcra = (sql: postgres.Sql, timeoutMs: number) =>
  (keyId: string, limitPerMinute: number, nowMs: number, windowMs?: number): Effect.Effect<GcraDecision, LimiterUnavailable> => {
    const params = gcraParams(limitPerMinute, windowMs)
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
 * Rate rows (keyed by API key ids, but also by client addresses and email
 * digests) would otherwise grow forever: a row whose `tat_us` has passed is
 * idle under both rules and decides exactly as no row does.
 */
export const postgresSweep = (sql: postgres.Sql, timeoutMs: number) => (nowMs: number): Effect.Effect<number, LimiterUnavailable> =>
  attemptBackend("postgres", "rate limit sweep", timeoutMs, () => sql`delete from rate_limits where tat_us < ${nowMs * 1000}::bigint`).pipe(Effect.map((r) => r.count))

/**
 * Backoff states share `rate_limits` with the GCRA (their keys are
 * namespaced, `login:…`): `tat_us` holds the forget time (µs), so a row whose
 * `tat_us` has passed is idle under either rule, and `last_allowed` the
 * attempts counted. One upsert counts an attempt unless the row is locked
 * (the WHERE); no row back means it was, and a read then gives the wait.
 */
export const postgresBackoff = (sql: postgres.Sql, timeoutMs: number): BackoffStore => {
  const read = (key: string) =>
    attemptBackend("postgres", "backoff read", timeoutMs, () =>
      sql<Array<{ tat_us: string; last_allowed: number }>>`select tat_us, last_allowed from rate_limits where key_id = ${key}`,
    ).pipe(Effect.map((rows) => (rows[0] ? { attempts: Number(rows[0].last_allowed), forgetAtUs: Number(rows[0].tat_us) } : undefined)))
  const wait = (key: string, rule: BackoffRule, nowMs: number) => read(key).pipe(Effect.map((state) => backoffWait(nowMs, state, rule)))
  return {
    attempt: (key: string, rule: BackoffRule, nowMs: number) => {
      const nowUs = nowMs * 1000
      const [baseUs, maxUs, forgetUs] = [rule.baseMs * 1000, rule.maxMs * 1000, rule.forgetMs * 1000]
      // The attempts after this one: the stored count unless forgotten, plus one.
      const next = sql`(case when r.tat_us <= ${nowUs}::bigint then 0 else r.last_allowed end) + 1`
      return attemptBackend("postgres", "backoff attempt", timeoutMs, () =>
        sql<Array<{ key_id: string }>>`
          insert into rate_limits as r (key_id, tat_us, last_allowed)
          values (${key}, ${nowUs + lockMs(1, rule) * 1000 + forgetUs}::bigint, 1)
          on conflict (key_id) do update set
            last_allowed = ${next},
            tat_us = ${nowUs}::bigint + ${forgetUs}::bigint + case when ${next} < ${rule.free}::int then 0
              else least(${maxUs}::bigint, ${baseUs}::bigint * power(2, least(${next} - ${rule.free}::int, ${MAX_DOUBLINGS}::int))::bigint) end
          where not (r.tat_us > ${nowUs}::bigint and r.last_allowed >= ${rule.free}::int and r.tat_us - ${forgetUs}::bigint > ${nowUs}::bigint)
          returning key_id`,
      ).pipe(
        Effect.flatMap((rows): Effect.Effect<BackoffDecision, LimiterUnavailable> =>
          rows.length === 1 ? Effect.succeed({ allowed: true, retryAfterMs: 0 }) : wait(key, rule, nowMs).pipe(Effect.map((ms) => ({ allowed: false, retryAfterMs: Math.max(1, ms) }))),
        ),
      )
    },
    wait,
    clear: (key: string) => attemptBackend("postgres", "backoff clear", timeoutMs, () => sql`delete from rate_limits where key_id = ${key}`).pipe(Effect.asVoid),
  }
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
