// The outbox's statements, shared by both dialects: lease users with pending
// rows, find and write meter batches on a user's pending rows, mark and flag
// rows by batch. On Postgres every statement that moves a settled row's
// Stripe state takes the billing counters first (see lockCountersStatement).
import { sql, type SQL } from "drizzle-orm"
import type { LeaseInput, OpenBatchInput } from "./repo"

/** Users with pending rows that no other owner holds, least recently served first (the billing counters know who has some). */
export const leaseCandidatesStatement = ({ owner, now, limit }: LeaseInput) => sql`
  select p.user_id from (select distinct user_id from billing_usage where pending_rows > 0) p
  left join stripe_report_leases l on l.user_id = p.user_id
  where l.user_id is null or l.until < ${now} or l.owner = ${owner}
  order by coalesce(l.served_at, 0), p.user_id
  limit ${limit}`

/**
 * Takes the leases: a user another owner took in the meantime stays theirs
 * (the conflict's WHERE fails and the row is not returned), so two reporters
 * never both hold one user, without a lock held across statements.
 */
export const takeLeasesStatement = (userIds: ReadonlyArray<string>, { owner, now, leaseMs }: LeaseInput) => sql`
  insert into stripe_report_leases (user_id, owner, until, served_at)
  values ${sql.join(userIds.map((id) => sql`(${id}, ${owner}, ${now + leaseMs}, 0)`), sql`, `)}
  on conflict (user_id) do update set owner = excluded.owner, until = excluded.until
  where stripe_report_leases.until < ${now} or stripe_report_leases.owner = ${owner}
  returning user_id`

export const releaseStatement = (owner: string, now: number) => sql`
  update stripe_report_leases set until = 0, served_at = ${now} where owner = ${owner} and until > 0`

// Every statement on a user's pending rows says stripe_state = 'pending' and
// user_id, so it reads the partial index of pending rows (usage_stripe_pending_idx),
// however many rows the user has reported.
const pendingOf = (userId: string) => sql`user_id = ${userId} and stripe_state = 'pending' and state = 'settled'`

/**
 * A user's pending rows in one read: each written batch, and each time bucket
 * of rows no batch carries yet, with its first call's time.
 */
export const pendingWorkStatement = (userId: string, spanMs: number) => sql`
  select stripe_batch_id as batch_id, case when stripe_batch_id is null then created_at / cast(${spanMs} as bigint) end as bucket, min(created_at) as first_at
  from usage where ${pendingOf(userId)}
  group by 1, 2
  order by first_at`

/**
 * Writes batch `id` onto the user's pending rows of [from, to) no batch
 * carries yet. Written before the event is sent and never changed: the rows
 * carrying an id are the event, whoever resends it.
 */
export const openBatchStatement = ({ id, userId, from, to }: OpenBatchInput) => sql`
  update usage set stripe_batch_id = ${id}
  where ${pendingOf(userId)} and stripe_batch_id is null and created_at >= ${from} and created_at < ${to}
  returning developer_price_micro_usd, created_at`

/** What a batch's event says: every row carrying it. */
export const batchRowsStatement = (id: string) => sql`
  select developer_price_micro_usd, created_at from usage where stripe_batch_id = ${id}`

/** The usage rows a batch (or, for a row reported before batches, its own id) names. */
export const namedBy = (identifier: string) => sql`(stripe_batch_id = ${identifier} or id = ${identifier})`
const batchRows = (batchId: string) => sql`stripe_batch_id = ${batchId}`
// Without a `before` (the user has no Stripe customer): every pending row,
// written batches too (rows migration 0012 made batches of one, which no
// event ever carried without a customer). With one (too old for Stripe): the
// unbatched rows; a written batch's age is checked when it is sent.
const unsendable = (userId: string, before: number | undefined) =>
  before === undefined ? pendingOf(userId) : sql`${pendingOf(userId)} and stripe_batch_id is null and created_at < ${before}`

/**
 * Hands rows back to the operator as flagged, lease cleared, from any of the
 * Stripe states `from` (the reporter flags pending rows Stripe refused; a
 * meter error report also flags rows already reported). Returns what it flagged.
 */
export const flagWhere = (rows: SQL, reason: string, from: ReadonlyArray<"pending" | "reported">, options: { readonly lockCountersFirst?: boolean } = {}) => sql`
  ${countersLockedFirst(rows, options.lockCountersFirst)}update usage set stripe_state = 'flagged', stripe_error = ${reason.slice(0, 500)}
  where ${rows} and stripe_state in (${sql.join(from.map((state) => sql`${state}`), sql`, `)})${countersGuard(options.lockCountersFirst)}
  returning id, user_id, developer_price_micro_usd`

export const flagBatchStatement = (batchId: string, reason: string, options: { readonly lockCountersFirst: boolean }) => flagWhere(batchRows(batchId), reason, ["pending"], options)
export const flagUnsendableStatement = (userId: string, reason: string, before: number | undefined, options: { readonly lockCountersFirst: boolean }) =>
  flagWhere(unsendable(userId, before), reason, ["pending"], options)

/** Accepted by Stripe: the batch's rows pending → reported. */
export const markBatchReportedStatement = (batchId: string, now: number, options: { readonly lockCountersFirst: boolean }) => sql`
  ${countersLockedFirst(batchRows(batchId), options.lockCountersFirst)}update usage set stripe_state = 'reported', stripe_reported_at = ${now}
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
