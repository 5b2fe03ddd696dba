// invoice.payment_failed: the billing period failed and the user's active
// keys are suspended (reason payment_failed) until an invoice is paid.
import type Stripe from "stripe"
import type { WebhookEffect } from "../../../store/billing/repo"
import { invoiceFields } from "./shared"

export const invoicePaymentFailed = (event: Stripe.InvoicePaymentFailedEvent): WebhookEffect | undefined => {
  const fields = invoiceFields(event.data.object)
  return fields && { kind: "invoice_payment_failed", ...fields }
}
