// Billing programs the routes and jobs run: webhook intake, closing billing
// periods, and reconciling the ledger with what Stripe accepted.
import { Clock, Effect } from "effect"
import { isPeriod, periodBounds, periodOf, previousPeriod } from "../../platform/period"
import { Store } from "../../store/store"
import type { PeriodRange, WebhookEffect } from "../../store/billing/repo"
import { ApiKeys } from "../keys/verifier"
import { StripeClient } from "./stripe-client"
import { effectOf, isHandled } from "./webhooks"

export type WebhookResult = {
  readonly received: true
  readonly event_id: string
  readonly outcome: "applied" | "duplicate" | "ignored" | "unknown_customer"
}

/** Effects that change what the key verifier caches: status, tier, or the owner's card. */
const changesKeys = (effect: WebhookEffect) => effect.kind !== "invoice_finalized"

/**
 * Drops the customer's keys from this instance's verification cache, after the
 * change is committed, so it takes effect on the next request here. Other
 * instances pick it up when their entry expires (KEY_CACHE_TTL_MS).
 */
const forgetCustomerKeys = (customerId: string, now: number) =>
  Effect.gen(function* () {
    const store = yield* Store
    const keys = yield* ApiKeys
    const user = yield* store.users.findByStripeCustomer(customerId)
    if (!user) return
    for (const key of yield* store.keys.listByUser(user.id, periodOf(now))) keys.forget(key.id)
  })

/** Verifies one delivery and applies it at most once. */
export const receiveStripeWebhook = Effect.fn("Billing.receiveWebhook")(function* (rawBody: string, signature: string | null) {
  const stripe = yield* StripeClient
  const store = yield* Store
  const event = yield* stripe.verifyWebhook(rawBody, signature)
  if (!isHandled(event.type)) {
    yield* Effect.logDebug("stripe event ignored", { event_id: event.id, type: event.type })
    return { received: true, event_id: event.id, outcome: "ignored" } satisfies WebhookResult
  }
  const now = yield* Clock.currentTimeMillis
  const effect = effectOf(event)
  const outcome = yield* store.billing.applyWebhook({ id: event.id, type: event.type, now }, effect)
  if (outcome === "applied" && effect && changesKeys(effect)) yield* forgetCustomerKeys(effect.customerId, now)
  const log = outcome === "unknown_customer" ? Effect.logWarning : Effect.logInfo
  yield* log("stripe event", { event_id: event.id, type: event.type, outcome })
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
