// SQL shared by both dialects (both accept ON CONFLICT … DO UPDATE and
// `excluded`), so the SQLite and Postgres repositories differ only in how
// they run it.
import { sql, type SQL } from "drizzle-orm"
import type { BillingPeriodRow, PeriodRange, ReconciliationRow, StripeEventRecord, UserUsageTotal, WebhookEffect } from "./repo"
import type { Version } from "./versions"

export const insertEvent = (e: StripeEventRecord, outcome: string) =>
  sql`insert into stripe_events (id, type, processed_at, outcome) values (${e.id}, ${e.type}, ${e.now}, ${outcome}) on conflict (id) do nothing returning id`

export const setEventOutcome = (id: string, outcome: string) => sql`update stripe_events set outcome = ${outcome} where id = ${id}`

export const hasEventStatement = (id: string) => sql`select 1 as one from stripe_events where id = ${id} limit 1`

export const eventNotices = (id: string) => sql`select notices from stripe_events where id = ${id}`

export const setEventNotices = (id: string, notices: string | null) => sql`update stripe_events set notices = ${notices} where id = ${id}`

/** The user's keys as an event's notices compare them, in one order. */
export const keyStatusesOf = (userId: string) => sql`select id, name, prefix, status, status_reason as "statusReason" from api_keys where user_id = ${userId} order by id`

export const userByCustomer = (customerId: string) => sql`select id from users where stripe_customer_id = ${customerId} limit 1`

const linkInvoice = (userId: string, e: { invoiceId: string; subscriptionId: string | null; period: string }, status: "paid" | "failed" | null) => sql`
  insert into billing_periods (user_id, period, stripe_invoice_id, stripe_subscription_id, status)
  values (${userId}, ${e.period}, ${e.invoiceId}, ${e.subscriptionId}, ${status ?? "pending"})
  on conflict (user_id, period) do update set
    stripe_invoice_id = excluded.stripe_invoice_id,
    stripe_subscription_id = coalesce(excluded.stripe_subscription_id, billing_periods.stripe_subscription_id),
    status = ${status === null ? sql`billing_periods.status` : sql`excluded.status`}`

/**
 * One piece of state an effect moves: its statements run only if the event
 * is the newest for `version` (none: the change is monotonic or harmless to
 * repeat).
 */
export type Step = { readonly version?: Version; readonly statements: ReadonlyArray<SQL> }

// At equal `created`, the terminal state of one object wins over the one it ends.
const RANK = { invoiceFailed: 0, invoicePaid: 1, subscriptionUpdated: 0, subscriptionDeleted: 1 } as const

/** What applying `effect` to the user it names does, piece by piece. */
export const effectSteps = (userId: string, effect: WebhookEffect, now: number): Array<Step> => {
  switch (effect.kind) {
    case "invoice_paid":
      return [
        { version: { subject: `period:${userId}:${effect.period}`, rank: RANK.invoicePaid, objectId: effect.invoiceId }, statements: [linkInvoice(userId, effect, "paid")] },
        {
          version: { subject: `payment:${userId}`, rank: RANK.invoicePaid, objectId: effect.invoiceId },
          statements: [sql`update api_keys set status = 'active', status_reason = null where user_id = ${userId} and status = 'suspended' and status_reason = 'payment_failed'`],
        },
      ]
    case "invoice_payment_failed":
      return [
        { version: { subject: `period:${userId}:${effect.period}`, rank: RANK.invoiceFailed, objectId: effect.invoiceId }, statements: [linkInvoice(userId, effect, "failed")] },
        {
          version: { subject: `payment:${userId}`, rank: RANK.invoiceFailed, objectId: effect.invoiceId },
          statements: [sql`update api_keys set status = 'suspended', status_reason = 'payment_failed' where user_id = ${userId} and status = 'active'`],
        },
      ]
    case "invoice_finalized":
      // Links the invoice and leaves the status alone, so its order does not matter.
      return [{ statements: [linkInvoice(userId, effect, null)] }]
    case "tier_changed":
      return [
        {
          version: { subject: `tier:${userId}`, rank: effect.subscriptionEnded ? RANK.subscriptionDeleted : RANK.subscriptionUpdated, objectId: effect.subscriptionId },
          statements: [sql`update users set tier = ${effect.tier} where id = ${userId}`, sql`update api_keys set tier = ${effect.tier} where user_id = ${userId}`],
        },
      ]
    case "card_verified":
      // The first verification time is kept (coalesce), so a late event cannot move it.
      return [{ statements: [sql`update users set card_verified_at = coalesce(card_verified_at, ${now}) where id = ${userId}`] }]
  }
}

// From the period's counters (billing_usage), never the month's rows.
export const closePeriodStatement = (r: PeriodRange, now: number) => sql`
  insert into billing_periods (user_id, period, ops, total_micro_usd, status, closed_at)
  select user_id, ${r.period}, settled_ops, settled_micro_usd, 'pending', ${now}
  from billing_usage where period = ${r.period} and settled_ops > 0
  on conflict (user_id, period) do update set
    ops = excluded.ops, total_micro_usd = excluded.total_micro_usd, closed_at = excluded.closed_at
  returning user_id`

export const reconcileStatement = (r: PeriodRange) => sql`
  select user_id,
    settled_ops,
    settled_micro_usd as settled,
    pending_micro_usd + reported_micro_usd + flagged_micro_usd as billable,
    reported_micro_usd as reported,
    pending_rows as unreported_rows,
    pending_micro_usd as unreported,
    flagged_rows,
    flagged_micro_usd as flagged
  from billing_usage where period = ${r.period} and settled_ops > 0
  order by user_id`

type RawReconciliation = Record<"user_id" | "settled_ops" | "settled" | "billable" | "reported" | "unreported_rows" | "unreported" | "flagged_rows" | "flagged", string | number>

// Postgres returns sums of bigint as numeric strings; every value is a whole number well inside 2^53.
export const toReconciliation = (period: string, rows: ReadonlyArray<RawReconciliation>): Array<ReconciliationRow> =>
  rows.map((r) => {
    const billable = Number(r.billable)
    const reported = Number(r.reported)
    return {
      userId: String(r.user_id),
      period,
      settledOps: Number(r.settled_ops),
      settledMicroUsd: Number(r.settled),
      billableMicroUsd: billable,
      reportedMicroUsd: reported,
      unreportedRows: Number(r.unreported_rows),
      unreportedMicroUsd: Number(r.unreported),
      flaggedRows: Number(r.flagged_rows),
      flaggedMicroUsd: Number(r.flagged),
      match: billable === reported,
    }
  })

export const userUsageStatement = (userId: string, r: PeriodRange) => sql`
  select settled_ops as ops, settled_micro_usd as settled,
    pending_micro_usd + reported_micro_usd + flagged_micro_usd as billable,
    reported_micro_usd as reported
  from billing_usage where user_id = ${userId} and period = ${r.period}`

export const toUserUsage = (rows: ReadonlyArray<Record<string, string | number>>): UserUsageTotal => {
  const r = rows[0] ?? {}
  return { ops: Number(r.ops ?? 0), settledMicroUsd: Number(r.settled ?? 0), billableMicroUsd: Number(r.billable ?? 0), reportedMicroUsd: Number(r.reported ?? 0) }
}

export const periodsOfStatement = (userId: string, limit: number) => sql`
  select period, ops, total_micro_usd, status, stripe_invoice_id, closed_at
  from billing_periods where user_id = ${userId} order by period desc limit ${limit}`

export const toPeriods = (rows: ReadonlyArray<Record<string, string | number | null>>): Array<BillingPeriodRow> =>
  rows.map((r) => ({
    period: String(r.period),
    ops: Number(r.ops),
    totalMicroUsd: Number(r.total_micro_usd),
    status: String(r.status),
    stripeInvoiceId: r.stripe_invoice_id === null ? null : String(r.stripe_invoice_id),
    closedAt: r.closed_at === null ? null : Number(r.closed_at),
  }))
