// setup_intent.succeeded: the user saved a working card.
import type Stripe from "stripe"
import type { WebhookEffect } from "../../../store/billing/repo"
import { customerIdOf } from "./shared"

export const setupIntentSucceeded = (event: Stripe.SetupIntentSucceededEvent): WebhookEffect | undefined => {
  const customerId = customerIdOf(event.data.object)
  return customerId ? { kind: "card_verified", customerId } : undefined
}
