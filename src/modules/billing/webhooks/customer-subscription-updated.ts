// customer.subscription.updated: the user's tier (and every key's) follows
// the subscription.
import type Stripe from "stripe"
import { isOdd, subscriptionIds, tierOfSubscription, type Decoded } from "./shared"

export const customerSubscriptionUpdated = (event: Stripe.CustomerSubscriptionUpdatedEvent): Decoded => {
  const ids = subscriptionIds(event.data.object)
  if (!ids || isOdd(ids)) return ids
  const tier = tierOfSubscription(event.data.object)
  return isOdd(tier) ? tier : { kind: "tier_changed", ...ids, tier, subscriptionEnded: false }
}
