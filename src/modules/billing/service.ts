// Billing programs the routes and jobs run: webhook intake, closing billing
// periods, and reconciling the ledger with what Stripe accepted.
import { Clock, Effect } from "effect"
import { emitQuietly, keyRef } from "../webhooks/events"
import type { KeyRow } from "../../store/keys/repo"
import { isPeriod, periodBounds, periodOf, previousPeriod } from "../../platform/period"
import { Store } from "../../store/store"
import type { PeriodRange, WebhookEffect } from "../../store/billing/repo"
import { ApiKeys } from "../keys/verifier"
import { METER_EVENT_MAX_AGE_MS } from "./reporter"
import { StripeClient } from "./stripe-client"
import { decodeEvent, isHandled } from "./webhooks"
import { isOdd } from "./webhooks/shared"

export type WebhookResult = {
  readonly received: true
  readonly event_id: string
  readonly outcome: "applied" | "duplicate" | "ignored" | "unknown_customer" | "stale" | "malformed"
}

/** Effects that change what the key verifier caches: status, tier, or the owner's card. */
const changesKeys = (effect: WebhookEffect) => effect.kind !== "invoice_finalized"

/** The customer's user and keys (none when no user has this customer). */
const customerKeys = (customerId: string, now: number) =>
  Effect.gen(function* () {
    const store = yield* Store
    const user = yield* store.users.findByStripeCustomer(customerId)
    return { user, keys: user ? yield* store.keys.listByUser(user.id, periodOf(now)) : [] }
  })

const isInvoiceOutcome = (kind: string) => kind === "invoice_payment_failed" || kind === "invoice_paid"

/**
 * The developer's webhooks hear what a payment event did: a failed payment,
 * and each key it suspended; a paid invoice, each key it reinstated. The
 * keys before and after the event tell which moved.
 */
const tellDeveloper = (decoded: WebhookEffect & { readonly customerId: string }, userId: string, before: ReadonlyArray<KeyRow>, after: ReadonlyArray<KeyRow>) =>
  Effect.gen(function* () {
    if (decoded.kind !== "invoice_payment_failed" && decoded.kind !== "invoice_paid") return
    const invoiceId = decoded.invoiceId
    const was = new Map(before.map((k) => [k.id, k.status]))
    if (decoded.kind === "invoice_payment_failed") {
      yield* emitQuietly(userId, "billing.payment_failed", { invoice_id: invoiceId, period: decoded.period }, `evt_payfail_${invoiceId}`)
      for (const k of after) if (was.get(k.id) === "active" && k.status === "suspended") yield* emitQuietly(userId, "key.suspended", { key: keyRef(k), reason: k.statusReason }, `evt_susp_${k.id}_${invoiceId}`)
    } else {
      for (const k of after) if (was.get(k.id) === "suspended" && k.status === "active") yield* emitQuietly(userId, "key.reinstated", { key: keyRef(k) }, `evt_reinst_${k.id}_${invoiceId}`)
    }
  })

/**
 * A genuine event we cannot read: acknowledged (a 5xx would have Stripe send
 * the same body for days), recorded so a redelivery is a no-op, and logged at
 * error level, since the state it was meant to change did not move.
 */
export const acknowledgeMalformed = Effect.fn("Billing.acknowledgeMalformed")(function* (event: { readonly id: string; readonly type: string }, reason: string) {
  const store = yield* Store
  const now = yield* Clock.currentTimeMillis
  const recorded = yield* store.billing.recordIgnored({ id: event.id, type: event.type, now }, "malformed")
  if (recorded === "duplicate") return { received: true, event_id: event.id, outcome: "duplicate" } satisfies WebhookResult
  yield* Effect.logError("stripe event acknowledged but not applied: its object cannot be read; check it in the Stripe dashboard", { event_id: event.id, type: event.type, reason })
  return { received: true, event_id: event.id, outcome: "malformed" } satisfies WebhookResult
})

/** Verifies one delivery and applies it at most once, and never over a newer event on the same state. */
export const receiveStripeWebhook = Effect.fn("Billing.receiveWebhook")(function* (rawBody: string, signature: string | null) {
  const stripe = yield* StripeClient
  const store = yield* Store
  const keys = yield* ApiKeys
  const event = yield* stripe.verifyWebhook(rawBody, signature)
  if (!isHandled(event.type)) {
    yield* Effect.logDebug("stripe event ignored", { event_id: event.id, type: event.type })
    return { received: true, event_id: event.id, outcome: "ignored" } satisfies WebhookResult
  }
  const decoded = decodeEvent(event)
  if (isOdd(decoded)) return yield* acknowledgeMalformed(event, decoded.odd)
  const now = yield* Clock.currentTimeMillis
  // The keys before the change, for the events that tell which keys it moved.
  const before = decoded && isInvoiceOutcome(decoded.kind) ? (yield* customerKeys(decoded.customerId, now)).keys : []
  const outcome = yield* store.billing.applyWebhook({ id: event.id, type: event.type, now, created: event.created }, decoded)
  if (outcome === "applied" && decoded && changesKeys(decoded)) {
    const after = yield* customerKeys(decoded.customerId, now)
    // Committed: this instance's verification cache drops the customer's keys, so the change takes
    // effect on the next request here (other instances when their entries expire, KEY_CACHE_TTL_MS).
    for (const key of after.keys) keys.forget(key.id)
    if (after.user) yield* tellDeveloper(decoded, after.user.id, before, after.keys)
  }
  const log = outcome === "unknown_customer" ? Effect.logWarning : Effect.logInfo
  yield* log(outcome === "stale" ? "stripe event older than the state it would change; not applied" : "stripe event", { event_id: event.id, type: event.type, outcome })
  return { received: true, event_id: event.id, outcome } satisfies WebhookResult
})

/** The calendar month (UTC) "YYYY-MM" as an epoch-ms range. */
export const monthRange = (period: string): PeriodRange => {
  if (!isPeriod(period)) throw new Error(`not a period: ${period}`)
  return { period, ...periodBounds(period) }
}

/**
 * Writes each user's ops and micro-USD total for the period from settled
 * usage. Safe to rerun (it recomputes the same numbers; status and invoice
 * links are left alone); defaults to the previous month, for the monthly cron.
 */
export const closeBillingPeriod = Effect.fn("Billing.closePeriod")(function* (period?: string) {
  const store = yield* Store
  const now = yield* Clock.currentTimeMillis
  const range = monthRange(period ?? previousPeriod(now))
  const users = yield* store.billing.closePeriod(range, now)
  yield* Effect.logInfo("billing period closed", { period: range.period, users })
  return { period: range.period, users }
})

/** Per user for the period: settled, reported, unreported and flagged totals, and whether Stripe holds every billable micro-dollar. */
export const reconcilePeriod = Effect.fn("Billing.reconcile")(function* (period: string) {
  const store = yield* Store
  return yield* store.billing.reconcile(monthRange(period))
})

// A month's usage can reach Stripe until 35 days after the month ends (the
// meter event window), so a meter error report up to then may concern it.
/**
 * Stripe's meter error reports that may concern the period and count errors
 * naming no usage row of ours: money Stripe dropped that no row can show.
 */
export const unattributedMeterErrors = Effect.fn("Billing.unattributedMeterErrors")(function* (period: string) {
  const store = yield* Store
  const range = monthRange(period)
  return yield* store.billing.unattributedMeterErrors({ start: range.start, end: range.end + METER_EVENT_MAX_AGE_MS })
})
