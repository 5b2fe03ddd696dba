// What every webhook handler needs: the customer an object belongs to, the
// billing month an invoice covers, and the tier a subscription grants.
import type Stripe from "stripe"
import { periodOf } from "../../../platform/period"

export const customerIdOf = (object: { customer?: string | { id: string } | null }): string | undefined =>
  typeof object.customer === "string" ? object.customer : (object.customer?.id ?? undefined)


/**
 * The subscription an invoice belongs to. Newer API versions moved it under
 * `parent.subscription_details`; older payloads have it at the top level.
 */
export const subscriptionIdOfInvoice = (invoice: Stripe.Invoice): string | null => {
  const nested = invoice.parent?.subscription_details?.subscription
  const legacy = (invoice as unknown as { subscription?: string | { id: string } | null }).subscription
  const value = nested ?? legacy
  return typeof value === "string" ? value : (value?.id ?? null)
}

/**
 * The billing month an invoice covers: metered usage is invoiced in arrears,
 * and `period_start` is the start of the usage period on the invoice.
 */
export const invoicePeriod = (invoice: Stripe.Invoice): string => periodOf((invoice.period_start ?? invoice.created) * 1000) // Stripe times are Unix seconds

export const invoiceFields = (invoice: Stripe.Invoice) => {
  const customerId = customerIdOf(invoice)
  if (!customerId || !invoice.id) return undefined
  return { customerId, invoiceId: invoice.id, subscriptionId: subscriptionIdOfInvoice(invoice), period: invoicePeriod(invoice) }
}

const TIER = /^[a-z][a-z0-9_-]{0,31}$/
/** The tier any paid subscription grants unless its metadata names another. */
export const PAID_TIER = "paid"
export const FREE_TIER = "free"

/** A subscription Stripe still bills (past_due: it is still collecting). */
export const isLiveSubscriptionStatus = (status: string): boolean => status === "active" || status === "trialing" || status === "past_due"

/**
 * The tier a subscription grants: free unless it is live; then the `tier`
 * metadata of the subscription or of its price, else "paid".
 */
export const tierOfSubscription = (sub: Stripe.Subscription): string => {
  if (!isLiveSubscriptionStatus(sub.status)) return FREE_TIER
  const named = [sub.metadata?.tier, ...sub.items.data.map((i) => i.price?.metadata?.tier)].find((t) => typeof t === "string" && TIER.test(t))
  return named ?? PAID_TIER
}
