// Billing state driven by the ledger and by Stripe's webhooks: processed event
// ids, billing periods, key suspension and tiers, and the reconciliation
// report. Statements are plain SQL both dialects accept, in statements.ts.
import type { Effect } from "effect"
import type { StoreUnavailable } from "../../platform/db/errors"

/** What one verified Stripe event changes; produced by the handlers in modules/billing/webhooks. */
export type WebhookEffect =
  | { readonly kind: "invoice_paid"; readonly customerId: string; readonly invoiceId: string; readonly subscriptionId: string | null; readonly period: string }
  | { readonly kind: "invoice_payment_failed"; readonly customerId: string; readonly invoiceId: string; readonly subscriptionId: string | null; readonly period: string }
  | { readonly kind: "invoice_finalized"; readonly customerId: string; readonly invoiceId: string; readonly subscriptionId: string | null; readonly period: string }
  | { readonly kind: "tier_changed"; readonly customerId: string; readonly subscriptionId: string; readonly tier: string; readonly subscriptionEnded: boolean }
  | { readonly kind: "card_verified"; readonly customerId: string }

/**
 * applied: at least one piece of state moved; stale: every piece of state it
 * would change was already set by a newer event, so nothing moved.
 */
export type WebhookOutcome = "applied" | "duplicate" | "unknown_customer" | "stale"

/** A key as an event's notices see it, before and after the event (in its transaction). */
export type KeyStatus = { readonly id: string; readonly name: string; readonly prefix: string; readonly status: string; readonly statusReason: string | null }

/** A developer event an applied Stripe event owes; its id makes queueing it twice one event, and it is dated when the Stripe event was applied (epoch ms), however late it is queued. */
export type Notice = { readonly userId: string; readonly type: string; readonly data: Record<string, unknown>; readonly eventId: string; readonly at: number }

/** The notices of an event for the user it applied to, from the user's keys before and after it. */
export type NoticesOf = (userId: string, before: ReadonlyArray<KeyStatus>, after: ReadonlyArray<KeyStatus>) => ReadonlyArray<Notice>

/** What applying an event did, and the notices it owes (for a duplicate, those never marked queued). */
export type AppliedWebhook = { readonly outcome: WebhookOutcome; readonly notices: ReadonlyArray<Notice> }

/** Why an event was recorded without being applied. */
export type IgnoredOutcome = "malformed" | "foreign_meter"

export type StripeEventRecord = {
  readonly id: string
  readonly type: string
  /** When we received it, epoch ms. */
  readonly now: number
}

export type SnapshotEventRecord = StripeEventRecord & {
  /** Stripe's `created` of the event, Unix seconds: orders events on one piece of state. */
  readonly created: number
}

/** A meter-event error report as Stripe sends it, decoded (thin events v1.billing.meter.*). */
export type MeterErrorReport = {
  readonly meterId: string | null
  /** Every error in the report's window. */
  readonly errorCount: number
  /** The errors Stripe gave as samples, by meter event identifier (our usage row id). */
  readonly samples: ReadonlyArray<{ readonly identifier: string; readonly code: string; readonly message: string }>
  readonly summary: string
  /** Stripe's validation window, epoch ms. */
  readonly windowStart: number
  readonly windowEnd: number
}

export type FlaggedUsage = {
  readonly id: string
  readonly userId: string
  /** micro-USD */
  readonly developerPriceMicroUsd: number
  readonly reason: string
}

export type MeterErrorOutcome = {
  readonly outcome: "applied" | "duplicate"
  /** Rows moved to flagged by this report. */
  readonly flagged: ReadonlyArray<FlaggedUsage>
  /** Errors whose identifier is one of our usage rows; the rest name nothing we can find. */
  readonly attributed: number
}

/** A stored report with errors that name no usage row of ours. */
export type UnattributedMeterErrors = {
  readonly eventId: string
  readonly type: string
  readonly meterId: string | null
  readonly errorCount: number
  readonly unattributed: number
  readonly summary: string
  readonly windowStart: number
  readonly windowEnd: number
}

export type PeriodRange = {
  /** "YYYY-MM" (UTC) */
  readonly period: string
  /** epoch ms, inclusive */
  readonly start: number
  /** epoch ms, exclusive */
  readonly end: number
}

export type ReconciliationRow = {
  readonly userId: string
  readonly period: string
  /** Settled calls in the period, all tiers. */
  readonly settledOps: number
  /** micro-USD, all settled calls. */
  readonly settledMicroUsd: number
  /** micro-USD of settled calls that are to be billed through Stripe (pending, reported or flagged). */
  readonly billableMicroUsd: number
  readonly reportedMicroUsd: number
  readonly unreportedRows: number
  readonly unreportedMicroUsd: number
  readonly flaggedRows: number
  readonly flaggedMicroUsd: number
  /** Every billable micro-dollar has been accepted by Stripe. */
  readonly match: boolean
}

/** One user's settled usage in a period (the running total of the current month). */
export type UserUsageTotal = {
  readonly ops: number
  /** micro-USD, every settled call. */
  readonly settledMicroUsd: number
  /** micro-USD of settled calls billed through Stripe (paid tiers: pending, reported or flagged). */
  readonly billableMicroUsd: number
  /** micro-USD Stripe has accepted. */
  readonly reportedMicroUsd: number
}

export type BillingPeriodRow = {
  readonly period: string
  readonly ops: number
  readonly totalMicroUsd: number
  readonly status: string
  readonly stripeInvoiceId: string | null
  readonly closedAt: number | null
}

export interface BillingRepo {
  /**
   * Records the event id and applies its effect in one transaction; a
   * replayed id changes nothing ("duplicate"). An event for a customer we do
   * not know is recorded and otherwise ignored. With `noticesOf`, the
   * developer events it owes are written with it, in the same transaction,
   * until `noticesQueued`; a replay returns those still owed.
   */
  readonly applyWebhook: (event: SnapshotEventRecord, effect: WebhookEffect | undefined, noticesOf?: NoticesOf) => Effect.Effect<AppliedWebhook, StoreUnavailable>
  /** The event's notices are queued: a replay owes nothing more. */
  readonly noticesQueued: (eventId: string) => Effect.Effect<void, StoreUnavailable>
  /** Records a genuine event that is acknowledged without being applied; "duplicate" when its id was recorded before. */
  readonly recordIgnored: (event: StripeEventRecord, outcome: IgnoredOutcome) => Effect.Effect<"recorded" | "duplicate", StoreUnavailable>
  /** Whether an event id was recorded (a redelivery is answered without asking Stripe for the event). */
  readonly hasEvent: (id: string) => Effect.Effect<boolean, StoreUnavailable>
  /**
   * Records the report and its event id, and flags the pending or reported
   * usage rows it names, in one transaction; a replayed id changes nothing.
   */
  readonly applyMeterErrorReport: (event: StripeEventRecord, report: MeterErrorReport) => Effect.Effect<MeterErrorOutcome, StoreUnavailable>
  /** Reports whose window overlaps [start, end) and that count errors naming no usage row of ours. */
  readonly unattributedMeterErrors: (window: { readonly start: number; readonly end: number }) => Effect.Effect<ReadonlyArray<UnattributedMeterErrors>, StoreUnavailable>
  /** Writes each user's ops and total for the period from settled usage; rerunning recomputes the same numbers. Returns the number of users. */
  readonly closePeriod: (range: PeriodRange, now: number) => Effect.Effect<number, StoreUnavailable>
  readonly reconcile: (range: PeriodRange) => Effect.Effect<ReadonlyArray<ReconciliationRow>, StoreUnavailable>
  readonly userUsage: (userId: string, range: PeriodRange) => Effect.Effect<UserUsageTotal, StoreUnavailable>
  /** The user's billing periods, newest first. */
  readonly periodsOf: (userId: string, limit: number) => Effect.Effect<ReadonlyArray<BillingPeriodRow>, StoreUnavailable>
}
