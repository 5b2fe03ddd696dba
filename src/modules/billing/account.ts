// What a signed-in user does with billing: save a card (SetupIntent), move to
// a paid tier, cancel at the period's end, and read the account's billing
// state. Tier changes are written locally at once (and every key forgotten
// from this instance's cache) rather than waiting for the webhook, which then
// confirms the same tier.
import { Clock, Effect } from "effect"
import { periodOf } from "../../platform/period"
import { Store } from "../../store/store"
import type { UserRow } from "../../store/users/repo"
import { ApiKeys } from "../keys/verifier"
import { ensureCustomer } from "./customers"
import { BillingDisabled, CardRequired, NoSubscription } from "./errors"
import { monthRange } from "./service"
import { StripeClient, type SubscriptionSummary } from "./stripe-client"
import { isLiveSubscriptionStatus } from "./webhooks/shared"

export type PaidTier = "paid" | "pro"

// Stripe is still collecting on these; anything else grants nothing.
const isLive = (s: SubscriptionSummary) => isLiveSubscriptionStatus(s.status)

const enabledStripe = (operation: string) =>
  Effect.flatMap(StripeClient, (stripe) => (stripe.enabled ? Effect.succeed(stripe) : Effect.fail(new BillingDisabled({ operation }))))

/** Sets the user's and every key's tier, effective at once on this instance. */
export const applyTier = Effect.fn("Billing.applyTier")(function* (userId: string, tier: string) {
  const store = yield* Store
  const keys = yield* ApiKeys
  const keyIds = yield* store.users.setTier(userId, tier)
  for (const id of keyIds) keys.forget(id)
  return keyIds
})

/**
 * A SetupIntent for the user's customer: the browser confirms it with
 * Stripe.js and `setup_intent.succeeded` marks the card verified. No charge
 * and refund. `attempt` (the request id) makes a retried request the same intent.
 */
export const startCardSetup = Effect.fn("Billing.startCardSetup")(function* (user: UserRow, attempt: string) {
  const stripe = yield* enabledStripe("setup card")
  const customerId = yield* ensureCustomer(user)
  const intent = yield* stripe.createSetupIntent({ userId: user.id, customerId, attempt })
  return { setupIntentId: intent.id, clientSecret: intent.clientSecret, cardVerified: user.cardVerifiedAt !== null }
})

/**
 * Subscribes to the metered price with metadata tier, or, when a live
 * subscription exists, switches its tier and undoes a pending cancellation.
 * A new subscription's idempotency key names the newest earlier subscription,
 * so a double click makes one subscription and a later resubscription a new one.
 */
export const subscribe = Effect.fn("Billing.subscribe")(function* (user: UserRow, tier: PaidTier, attempt: string) {
  const stripe = yield* enabledStripe("subscribe")
  if (user.cardVerifiedAt === null) return yield* new CardRequired({ reason: "subscription_requires_card" })
  const customerId = yield* ensureCustomer(user)
  const subscriptions = yield* stripe.listSubscriptions(customerId)
  const live = subscriptions.find(isLive)
  const subscriptionId = live
    ? (yield* stripe.updateSubscription(live.id, { tier, cancelAtPeriodEnd: false }, `subscription_update:${live.id}:${attempt}`)).id
    : yield* stripe.createSubscription({
        userId: user.id,
        customerId,
        tier,
        attempt: subscriptions[0]?.id ?? "first",
        // A SetupIntent saves the card but does not make it the invoices' card; the subscription names it.
        defaultPaymentMethod: yield* stripe.savedPaymentMethod(customerId),
      })
  const keyIds = yield* applyTier(user.id, tier)
  yield* Effect.logInfo("subscribed", { user_id: user.id, tier, subscription_id: subscriptionId, keys: keyIds.length })
  return { tier, subscriptionId }
})

/** Cancels at the end of the paid period; customer.subscription.deleted then moves the account to free. */
export const cancelSubscription = Effect.fn("Billing.cancel")(function* (user: UserRow, attempt: string) {
  const stripe = yield* enabledStripe("cancel")
  if (!user.stripeCustomerId) return yield* new NoSubscription()
  const live = (yield* stripe.listSubscriptions(user.stripeCustomerId)).filter(isLive)
  if (live.length === 0) return yield* new NoSubscription()
  for (const s of live) if (!s.cancelAtPeriodEnd) yield* stripe.updateSubscription(s.id, { cancelAtPeriodEnd: true }, `subscription_cancel:${s.id}:${attempt}`)
  yield* Effect.logInfo("subscription set to cancel at period end", { user_id: user.id, subscriptions: live.length })
  return { tier: user.tier, subscriptionIds: live.map((s) => s.id) }
})

/**
 * Tier, card, this month's running total from the ledger, and past billing
 * periods. Works with Stripe off too: the ledger is local.
 */
export const billingSummary = Effect.fn("Billing.summary")(function* (user: UserRow) {
  const stripe = yield* StripeClient
  const store = yield* Store
  const now = yield* Clock.currentTimeMillis
  const range = monthRange(periodOf(now))
  const usage = yield* store.billing.userUsage(user.id, range)
  const periods = (yield* store.billing.periodsOf(user.id, 25)).filter((p) => p.period < range.period).slice(0, 24)
  return { user, stripeEnabled: stripe.enabled, period: range.period, usage, periods }
})
