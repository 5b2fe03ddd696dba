// What every webhook handler needs: the customer an object belongs to, the
// billing month an invoice covers, the tier a subscription grants, and the
// answer for a genuine event whose object cannot be read.
//
// Stripe signs what it sends, but a signed object can still be odd (a field
// missing or out of range, an API version we did not pin). Handlers read only
// fields they have checked, and answer `Odd` instead of throwing: the event
// is acknowledged, recorded and logged, since a 500 would have Stripe redeliver
// the same unreadable body for days.
import type Stripe from "stripe"
import { periodOf } from "../../../platform/period"
import type { WebhookEffect } from "../../../store/billing/repo"

/** A genuine event whose object cannot be read: it changes nothing. `odd` says why, without echoing the payload. */
export type Odd = { readonly odd: string }
export const odd = (reason: string): Odd => ({ odd: reason })
export const isOdd = (x: unknown): x is Odd => typeof x === "object" && x !== null && "odd" in x

/** A handler's reading of an event: its effect, nothing to do (undefined), or odd. */
export type Decoded = WebhookEffect | undefined | Odd

// 9999-12-31T23:59:59Z: past it a Date names no month.
const MAX_UNIX_S = 253_402_300_799
/** A Unix time in whole seconds, as Stripe writes times. */
export const isUnixSeconds = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v) && v >= 0 && v <= MAX_UNIX_S

const idOf = (value: unknown): string | undefined => {
  if (typeof value === "string") return value
  if (typeof value === "object" && value !== null && typeof (value as { id?: unknown }).id === "string") return (value as { id: string }).id
  return undefined
}

export const customerIdOf = (object: { customer?: unknown }): string | undefined => idOf(object.customer)

/**
 * The subscription an invoice belongs to. Newer API versions moved it under
 * `parent.subscription_details`; older payloads have it at the top level.
 */
export const subscriptionIdOfInvoice = (invoice: Stripe.Invoice): string | null => {
  const parent = invoice.parent as { subscription_details?: { subscription?: unknown } | null } | null | undefined
  const nested = typeof parent === "object" && parent !== null ? parent.subscription_details?.subscription : undefined
  const legacy = (invoice as unknown as { subscription?: unknown }).subscription
  return idOf(nested ?? legacy) ?? null
}

/**
 * The billing month an invoice covers: metered usage is invoiced in arrears,
 * and `period_start` is the start of the usage period on the invoice.
 */
export const invoiceFields = (invoice: Stripe.Invoice) => {
  const customerId = customerIdOf(invoice)
  if (!customerId) return undefined
  if (typeof invoice.id !== "string" || invoice.id === "") return odd("the invoice has no id")
  const start: unknown = invoice.period_start ?? invoice.created
  if (!isUnixSeconds(start)) return odd("the invoice's period_start is not a Unix time in seconds")
  return { customerId, invoiceId: invoice.id, subscriptionId: subscriptionIdOfInvoice(invoice), period: periodOf(start * 1000) } // Stripe times are Unix seconds
}

const TIER = /^[a-z][a-z0-9_-]{0,31}$/
/** The tier any paid subscription grants unless its metadata names another. */
export const PAID_TIER = "paid"
export const FREE_TIER = "free"

/** A subscription Stripe still bills (past_due: it is still collecting). */
export const isLiveSubscriptionStatus = (status: string): boolean => status === "active" || status === "trialing" || status === "past_due"

const tierIn = (metadata: unknown): unknown => (typeof metadata === "object" && metadata !== null ? (metadata as Record<string, unknown>).tier : undefined)

/**
 * The tier a subscription grants: free unless it is live; then the `tier`
 * metadata of the subscription or of its price, else "paid".
 */
export const tierOfSubscription = (sub: Stripe.Subscription): string | Odd => {
  if (typeof sub.status !== "string") return odd("the subscription has no status")
  if (!isLiveSubscriptionStatus(sub.status)) return FREE_TIER
  const items: unknown = (sub.items as { data?: unknown } | null | undefined)?.data
  if (!Array.isArray(items)) return odd("the live subscription has no items")
  const prices = items.map((i: unknown) => tierIn((i as { price?: { metadata?: unknown } } | null)?.price?.metadata))
  const named = [tierIn(sub.metadata), ...prices].find((t): t is string => typeof t === "string" && TIER.test(t))
  return named ?? PAID_TIER
}

/** The subscription's customer and id, or why they cannot be read. */
export const subscriptionIds = (sub: Stripe.Subscription): { customerId: string; subscriptionId: string } | Odd | undefined => {
  const customerId = customerIdOf(sub)
  if (!customerId) return undefined
  if (typeof sub.id !== "string" || sub.id === "") return odd("the subscription has no id")
  return { customerId, subscriptionId: sub.id }
}
