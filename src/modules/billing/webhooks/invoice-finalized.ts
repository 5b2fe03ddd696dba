// invoice.finalized: the billing period is linked to its Stripe invoice.
import type Stripe from "stripe"
import { invoiceFields, isOdd, type Decoded } from "./shared"

export const invoiceFinalized = (event: Stripe.InvoiceFinalizedEvent): Decoded => {
  const fields = invoiceFields(event.data.object)
  return !fields || isOdd(fields) ? fields : { kind: "invoice_finalized", ...fields }
}
