// customer.subscription.updated: the user's tier (and every key's) follows
// the subscription.
import type Stripe from "stripe"
import type { WebhookEffect } from "../../../store/billing/repo"
import { customerIdOf, tierOfSubscription } from "./shared"

export const customerSubscriptionUpdated = (event: Stripe.CustomerSubscriptionUpdatedEvent): WebhookEffect | undefined => {
  const customerId = customerIdOf(event.data.object)
  return customerId ? { kind: "tier_changed", customerId, tier: tierOfSubscription(event.data.object) } : undefined
}
