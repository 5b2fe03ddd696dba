// Billing programs the routes and jobs run: webhook intake, closing billing
// periods, and reconciling the ledger with what Stripe accepted.
import { Clock, Effect } from "effect"
import { emit, isEventType } from "../webhooks/events"
import { isPeriod, periodBounds, periodOf, previousPeriod } from "../../platform/period"
import { Store } from "../../store/store"
import type { Notice, PeriodRange, WebhookEffect } from "../../store/billing/repo"
import { ApiKeys } from "../keys/verifier"
import { METER_EVENT_MAX_AGE_MS } from "./reporter"
import { invoiceNotices, isInvoiceOutcome } from "./notices"
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

/**
 * Queues the developer events an applied Stripe event owes, then marks them
 * queued. One that cannot be queued fails the delivery (503): Stripe sends
 * the event again, and its replay queues what is still owed (queueing one
 * twice is one event, by its id).
 */
const queueNotices = Effect.fn("Billing.queueNotices")(function* (eventId: string, notices: ReadonlyArray<Notice>) {
  if (notices.length === 0) return
  for (const n of notices) {
    if (isEventType(n.type)) yield* emit(n.userId, n.type, n.data, n.eventId, n.at)
    else yield* Effect.logError("a stripe event owes a developer event of an unknown type; dropped", { event_id: eventId, type: n.type })
  }
  yield* Effect.flatMap(Store, (store) => store.billing.noticesQueued(eventId))
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
  const { outcome, notices } = yield* store.billing.applyWebhook({ id: event.id, type: event.type, now, created: event.created }, decoded, decoded && isInvoiceOutcome(decoded) ? invoiceNotices(decoded, now) : undefined)
  if (outcome === "applied" && decoded && changesKeys(decoded)) {
    // Committed: this instance's verification cache drops the customer's keys, so the change takes
    // effect on the next request here (other instances when their entries expire, KEY_CACHE_TTL_MS).
    for (const key of (yield* customerKeys(decoded.customerId, now)).keys) keys.forget(key.id)
  }
  yield* queueNotices(event.id, notices)
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
