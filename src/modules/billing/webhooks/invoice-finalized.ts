// invoice.finalized: the billing period is linked to its Stripe invoice.
import type Stripe from "stripe"
import type { WebhookEffect } from "../../../store/billing/repo"
import { invoiceFields } from "./shared"

export const invoiceFinalized = (event: Stripe.InvoiceFinalizedEvent): WebhookEffect | undefined => {
  const fields = invoiceFields(event.data.object)
  return fields && { kind: "invoice_finalized", ...fields }
}
