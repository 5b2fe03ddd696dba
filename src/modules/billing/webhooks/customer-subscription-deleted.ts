// customer.subscription.deleted: the user falls back to the free tier.
import type Stripe from "stripe"
import type { WebhookEffect } from "../../../store/billing/repo"
import { customerIdOf, FREE_TIER } from "./shared"

export const customerSubscriptionDeleted = (event: Stripe.CustomerSubscriptionDeletedEvent): WebhookEffect | undefined => {
  const customerId = customerIdOf(event.data.object)
  return customerId ? { kind: "tier_changed", customerId, tier: FREE_TIER } : undefined
}
