// The outbox's statements, shared by both dialects: lease the oldest pending
// rows, never a row another owner holds, never a user whose rows another
// owner holds; write a meter batch onto rows before its event is sent; mark
// and flag rows by batch. Postgres adds FOR UPDATE SKIP LOCKED to the claim
// (SQLite has one writer and no row locks) and takes the billing counters
// first in every statement that moves a settled row's Stripe state.
import { sql, type SQL } from "drizzle-orm"
import type { ClaimInput, OpenBatchInput } from "./repo"

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
  returning id, user_id, developer_price_micro_usd, created_at, stripe_batch_id`

/**
 * Writes batch `id` onto the user's pending rows of [from, to] that this owner
 * leases and no batch carries yet. Written before the event is sent and never
 * changed: the rows carrying an id are the event, whoever resends it.
 */
export const openBatchStatement = ({ id, owner, userId, from, to }: OpenBatchInput) => sql`
  update usage set stripe_batch_id = ${id}
  where user_id = ${userId} and stripe_lease_owner = ${owner} and stripe_state = 'pending' and state = 'settled'
    and stripe_batch_id is null and created_at >= ${from} and created_at <= ${to}`

/** What a batch's event says: its rows, their sum, and the first row's time (the event's timestamp). */
export const describeBatchStatement = (id: string) => sql`
  select count(*) as rows, coalesce(sum(developer_price_micro_usd), 0) as micro_usd, min(created_at) as first_at
  from usage where stripe_batch_id = ${id}`

/** The usage rows a batch (or, for a row reported before batches, its own id) names. */
export const namedBy = (identifier: string) => sql`(stripe_batch_id = ${identifier} or id = ${identifier})`
const batchRows = (batchId: string) => sql`stripe_batch_id = ${batchId}`
const rowsById = (ids: ReadonlyArray<string>) => sql`id in (${sql.join(ids.map((id) => sql`${id}`), sql`, `)})`

/**
 * Hands rows back to the operator as flagged, lease cleared, from any of the
 * Stripe states `from` (the reporter flags pending rows Stripe refused; a
 * meter error report also flags rows already reported). Returns what it flagged.
 */
export const flagWhere = (rows: SQL, reason: string, from: ReadonlyArray<"pending" | "reported">, options: { readonly lockCountersFirst?: boolean } = {}) => sql`
  ${countersLockedFirst(rows, options.lockCountersFirst)}update usage set stripe_state = 'flagged', stripe_error = ${reason.slice(0, 500)}, stripe_lease_owner = null, stripe_lease_until = null
  where ${rows} and stripe_state in (${sql.join(from.map((state) => sql`${state}`), sql`, `)})${countersGuard(options.lockCountersFirst)}
  returning id, user_id, developer_price_micro_usd`

export const flagRowsStatement = (ids: ReadonlyArray<string>, reason: string, options: { readonly lockCountersFirst: boolean }) => flagWhere(rowsById(ids), reason, ["pending"], options)
export const flagBatchStatement = (batchId: string, reason: string, options: { readonly lockCountersFirst: boolean }) => flagWhere(batchRows(batchId), reason, ["pending"], options)

/** Accepted by Stripe: the batch's rows pending → reported, lease cleared. */
export const markBatchReportedStatement = (batchId: string, now: number, options: { readonly lockCountersFirst: boolean }) => sql`
  ${countersLockedFirst(batchRows(batchId), options.lockCountersFirst)}update usage set stripe_state = 'reported', stripe_reported_at = ${now}, stripe_lease_owner = null, stripe_lease_until = null
  where ${batchRows(batchId)} and stripe_state = 'pending'${countersGuard(options.lockCountersFirst)}`

/**
 * Postgres: takes the billing counter rows (billing_usage, kept by triggers)
 * of these usage rows' users and months, in one order, before any usage row.
 * Every statement that moves a settled row's Stripe state takes its counter
 * row through the trigger after the usage row; taking the counters first, in
 * (user, period) order, in every such transaction (reports, flags) means two
 * of them can never hold each other's locks (a report and a meter error
 * report deadlocked without it). Settles never touch the rows these update.
 */
export const lockCountersStatement = (rows: SQL) => sql`
  select 1 from billing_usage
  where (user_id, period) in (
    select user_id, to_char(to_timestamp(created_at / 1000.0) at time zone 'UTC', 'YYYY-MM') from usage
    where ${rows} and environment = 'live'
  )
  order by user_id, period
  for update`

// In one statement: the counters are locked by a CTE that the UPDATE's filter
// depends on, as a one-time condition Postgres evaluates before it touches a
// usage row. One round trip, so the counter rows are held for one statement.
const countersLockedFirst = (rows: SQL, lock: boolean | undefined) => (lock ? sql`with locked as (${lockCountersStatement(rows)}) ` : sql``)
const countersGuard = (lock: boolean | undefined) => (lock ? sql` and (select count(*) from locked) >= 0` : sql``)
