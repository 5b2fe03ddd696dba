// invoice.paid: the billing period is paid, and keys suspended for a failed
// payment work again.
import type Stripe from "stripe"
import { invoiceFields, isOdd, type Decoded } from "./shared"

export const invoicePaid = (event: Stripe.InvoicePaidEvent): Decoded => {
  const fields = invoiceFields(event.data.object)
  return !fields || isOdd(fields) ? fields : { kind: "invoice_paid", ...fields }
}
