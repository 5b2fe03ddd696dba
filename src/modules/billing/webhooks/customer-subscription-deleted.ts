// customer.subscription.deleted: the user falls back to the free tier.
import type Stripe from "stripe"
import { FREE_TIER, isOdd, subscriptionIds, type Decoded } from "./shared"

export const customerSubscriptionDeleted = (event: Stripe.CustomerSubscriptionDeletedEvent): Decoded => {
  const ids = subscriptionIds(event.data.object)
  if (!ids || isOdd(ids)) return ids
  return { kind: "tier_changed", ...ids, tier: FREE_TIER, subscriptionEnded: true }
}
