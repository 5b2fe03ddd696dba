// invoice.payment_failed: the billing period failed and the user's active
// keys are suspended (reason payment_failed) until an invoice is paid.
import type Stripe from "stripe"
import { invoiceFields, isOdd, type Decoded } from "./shared"

export const invoicePaymentFailed = (event: Stripe.InvoicePaymentFailedEvent): Decoded => {
  const fields = invoiceFields(event.data.object)
  return !fields || isOdd(fields) ? fields : { kind: "invoice_payment_failed", ...fields }
}
