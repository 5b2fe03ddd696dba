// The claim, shared by both dialects: lease the oldest pending rows, never a
// row another owner holds, never a user whose rows another owner holds.
// Postgres adds FOR UPDATE SKIP LOCKED (SQLite has one writer and no row locks).
import { sql } from "drizzle-orm"
import type { ClaimInput } from "./repo"

export const claimStatement = ({ owner, now, leaseMs, limit }: ClaimInput, options: { readonly skipLocked: boolean }) => sql`
  update usage set stripe_lease_owner = ${owner}, stripe_lease_until = ${now + leaseMs}
  where id in (
    select id from usage
    where stripe_state = 'pending' and state = 'settled'
      and (stripe_lease_until is null or stripe_lease_until < ${now} or stripe_lease_owner = ${owner})
      and user_id not in (
        select user_id from usage
        where stripe_state = 'pending' and stripe_lease_until >= ${now} and stripe_lease_owner <> ${owner})
    order by created_at, id
    limit ${limit}${options.skipLocked ? sql` for update skip locked` : sql``})
  returning id, user_id, developer_price_micro_usd, created_at`

/**
 * Hands a row back to the operator as flagged, lease cleared, from any of the
 * Stripe states `from` (the reporter flags pending rows Stripe refused; a
 * meter error report also flags rows already reported). Returns what it flagged.
 */
export const flagStatement = (id: string, reason: string, from: ReadonlyArray<"pending" | "reported">, options: { readonly lockCountersFirst?: boolean } = {}) => sql`
  ${countersLockedFirst([id], options.lockCountersFirst)}update usage set stripe_state = 'flagged', stripe_error = ${reason.slice(0, 500)}, stripe_lease_owner = null, stripe_lease_until = null
  where id = ${id} and stripe_state in (${sql.join(from.map((state) => sql`${state}`), sql`, `)})${countersGuard(options.lockCountersFirst)}
  returning id, user_id, developer_price_micro_usd`

/** Accepted by Stripe: pending → reported, lease cleared. */
export const markReportedStatement = (ids: ReadonlyArray<string>, now: number, options: { readonly lockCountersFirst: boolean }) => sql`
  ${countersLockedFirst(ids, options.lockCountersFirst)}update usage set stripe_state = 'reported', stripe_reported_at = ${now}, stripe_lease_owner = null, stripe_lease_until = null
  where id in (${sql.join(ids.map((id) => sql`${id}`), sql`, `)}) and stripe_state = 'pending'${countersGuard(options.lockCountersFirst)}`

/**
 * Postgres: takes the billing counter rows (billing_usage, kept by triggers)
 * of these usage rows' users and months, in one order, before any usage row.
 * Every statement that moves a settled row's Stripe state takes its counter
 * row through the trigger after the usage row; taking the counters first, in
 * (user, period) order, in every such transaction (reports, flags) means two
 * of them can never hold each other's locks (a report and a meter error
 * report deadlocked without it). Settles never touch the rows these update.
 */
export const lockCountersStatement = (ids: ReadonlyArray<string>) => sql`
  select 1 from billing_usage
  where (user_id, period) in (
    select user_id, to_char(to_timestamp(created_at / 1000.0) at time zone 'UTC', 'YYYY-MM') from usage
    where id in (${sql.join(ids.map((id) => sql`${id}`), sql`, `)}) and environment = 'live'
  )
  order by user_id, period
  for update`

// In one statement: the counters are locked by a CTE that the UPDATE's filter
// depends on, as a one-time condition Postgres evaluates before it touches a
// usage row. One round trip, so the counter rows are held for one statement.
const countersLockedFirst = (ids: ReadonlyArray<string>, lock: boolean | undefined) => (lock ? sql`with locked as (${lockCountersStatement(ids)}) ` : sql``)
const countersGuard = (lock: boolean | undefined) => (lock ? sql` and (select count(*) from locked) >= 0` : sql``)
