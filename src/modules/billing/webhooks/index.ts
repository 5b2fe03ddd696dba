// The allow-list: the event types this gateway acts on, each with its handler.
// Anything else is acknowledged and ignored.
import type Stripe from "stripe"
import type { WebhookEffect } from "../../../store/billing/repo"
import { customerSubscriptionDeleted } from "./customer-subscription-deleted"
import { customerSubscriptionUpdated } from "./customer-subscription-updated"
import { invoiceFinalized } from "./invoice-finalized"
import { invoicePaid } from "./invoice-paid"
import { invoicePaymentFailed } from "./invoice-payment-failed"
import { setupIntentSucceeded } from "./setup-intent-succeeded"

type Handled = "invoice.paid" | "invoice.payment_failed" | "invoice.finalized" | "customer.subscription.updated" | "customer.subscription.deleted" | "setup_intent.succeeded"

export const webhookHandlers: { readonly [T in Handled]: (event: Extract<Stripe.Event, { type: T }>) => WebhookEffect | undefined } = {
  "invoice.paid": invoicePaid,
  "invoice.payment_failed": invoicePaymentFailed,
  "invoice.finalized": invoiceFinalized,
  "customer.subscription.updated": customerSubscriptionUpdated,
  "customer.subscription.deleted": customerSubscriptionDeleted,
  "setup_intent.succeeded": setupIntentSucceeded,
}

export const isHandled = (type: string): type is Handled => Object.hasOwn(webhookHandlers, type)

export const effectOf = (event: Stripe.Event): WebhookEffect | undefined =>
  isHandled(event.type) ? (webhookHandlers[event.type] as (e: Stripe.Event) => WebhookEffect | undefined)(event) : undefined
