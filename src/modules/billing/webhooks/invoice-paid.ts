// invoice.paid: the billing period is paid, and keys suspended for a failed
// payment work again.
import type Stripe from "stripe"
import type { WebhookEffect } from "../../../store/billing/repo"
import { invoiceFields } from "./shared"

export const invoicePaid = (event: Stripe.InvoicePaidEvent): WebhookEffect | undefined => {
  const fields = invoiceFields(event.data.object)
  return fields && { kind: "invoice_paid", ...fields }
}
