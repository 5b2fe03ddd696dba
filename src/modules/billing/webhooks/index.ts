// The allow-list: the event types this gateway acts on, each with its handler.
// Anything else is acknowledged and ignored.
import type Stripe from "stripe"
import { customerSubscriptionDeleted } from "./customer-subscription-deleted"
import { customerSubscriptionUpdated } from "./customer-subscription-updated"
import { invoiceFinalized } from "./invoice-finalized"
import { invoicePaid } from "./invoice-paid"
import { invoicePaymentFailed } from "./invoice-payment-failed"
import { setupIntentSucceeded } from "./setup-intent-succeeded"
import { isUnixSeconds, odd, type Decoded } from "./shared"

type Handled = "invoice.paid" | "invoice.payment_failed" | "invoice.finalized" | "customer.subscription.updated" | "customer.subscription.deleted" | "setup_intent.succeeded"

export const webhookHandlers: { readonly [T in Handled]: (event: Extract<Stripe.Event, { type: T }>) => Decoded } = {
  "invoice.paid": invoicePaid,
  "invoice.payment_failed": invoicePaymentFailed,
  "invoice.finalized": invoiceFinalized,
  "customer.subscription.updated": customerSubscriptionUpdated,
  "customer.subscription.deleted": customerSubscriptionDeleted,
  "setup_intent.succeeded": setupIntentSucceeded,
}

export const isHandled = (type: string): type is Handled => Object.hasOwn(webhookHandlers, type)

/** A handled event's effect, or why it cannot be read; the event's own time orders it, so it is checked here once. */
export const decodeEvent = (event: Stripe.Event): Decoded => {
  if (!isHandled(event.type)) return undefined
  if (!isUnixSeconds(event.created)) return odd("the event's created is not a Unix time in seconds")
  if (typeof event.data.object !== "object" || event.data.object === null) return odd("the event carries no object")
  return (webhookHandlers[event.type] as (e: Stripe.Event) => Decoded)(event)
}
