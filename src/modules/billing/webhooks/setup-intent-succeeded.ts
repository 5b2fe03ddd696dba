// setup_intent.succeeded: the user saved a working card.
import type Stripe from "stripe"
import { customerIdOf, type Decoded } from "./shared"

export const setupIntentSucceeded = (event: Stripe.SetupIntentSucceededEvent): Decoded => {
  const customerId = customerIdOf(event.data.object)
  return customerId ? { kind: "card_verified", customerId } : undefined
}
