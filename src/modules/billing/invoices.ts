// A signed-in user's Stripe invoices: one list call for the newest few,
// remembered briefly per user so a dashboard that polls, or a user who
// reloads, costs one Stripe request per TTL instead of one per view (Stripe's
// read limits are per account, shared with the reporter and every other user).
// The ledger (GET /v1/billing) is local and stays the truth; this only shows
// what Stripe made of it.
import { Clock, Effect } from "effect"
import type { UserRow } from "../../store/users/repo"
import { StripeClient, type InvoiceSummary } from "./stripe-client"

/** The newest invoices shown: two years of monthly invoices, one Stripe page. */
export const INVOICE_LIMIT = 24
/** How long a user's list is reused, ms: a payment shows within this, a reload costs nothing. */
export const INVOICE_CACHE_TTL_MS = 30_000
/** Users whose lists are kept at once; each holds at most INVOICE_LIMIT invoices. */
export const INVOICE_CACHE_MAX_USERS = 1_000

const MICRO_USD_PER_CENT = 10_000

/**
 * Stripe's USD amount (cents) in micro-USD; null for another currency (its
 * minor unit is not a cent of a dollar) or an amount that is not a whole,
 * safely representable number of cents.
 */
export const microUsdOf = (currency: string, minorUnits: number): number | null => {
  if (currency.toLowerCase() !== "usd" || !Number.isSafeInteger(minorUnits)) return null
  const micro = minorUnits * MICRO_USD_PER_CENT
  return Number.isSafeInteger(micro) ? micro : null
}

export type Invoice = {
  readonly id: string
  readonly number: string | null
  readonly status: string | null
  readonly currency: string
  /** micro-USD; null when not in USD. */
  readonly amountDueMicroUsd: number | null
  /** micro-USD; null when not in USD. */
  readonly amountPaidMicroUsd: number | null
  /** Unix seconds. */
  readonly periodStart: number
  /** Unix seconds. */
  readonly periodEnd: number
  /** Unix seconds. */
  readonly created: number
  readonly hostedInvoiceUrl: string | null
}

export type InvoiceList = {
  /** False when nothing was asked of Stripe: billing is off, or the user has no customer yet. */
  readonly stripe: boolean
  /** Newest first. */
  readonly invoices: ReadonlyArray<Invoice>
  readonly hasMore: boolean
}

const invoiceOf = (s: InvoiceSummary): Invoice => ({
  id: s.id,
  number: s.number,
  status: s.status,
  currency: s.currency,
  amountDueMicroUsd: microUsdOf(s.currency, s.amountDue),
  amountPaidMicroUsd: microUsdOf(s.currency, s.amountPaid),
  periodStart: s.periodStart,
  periodEnd: s.periodEnd,
  created: s.created,
  hostedInvoiceUrl: s.hostedInvoiceUrl,
})

const localOnly: InvoiceList = { stripe: false, invoices: [], hasMore: false }

type Entry = { readonly customerId: string; readonly list: InvoiceList; readonly expiresAt: number }

/**
 * Users' invoice lists, bounded in time (ttl, ms) and in count (least
 * recently used leaves first). Only Stripe's answers are kept, never its
 * failures, so a retry after an outage asks again.
 */
export class InvoiceCache {
  // Map iteration order is insertion order: re-inserting on a hit makes the
  // first entry the least recently used.
  private readonly entries = new Map<string, Entry>()

  constructor(readonly ttlMs: number, readonly maxEntries: number) {}

  get size(): number {
    return this.entries.size
  }

  /** The user's list if it is fresh and still of this customer. */
  get(userId: string, customerId: string, now: number): InvoiceList | undefined {
    const e = this.entries.get(userId)
    if (!e) return undefined
    this.entries.delete(userId)
    if (e.expiresAt <= now || e.customerId !== customerId) return undefined
    this.entries.set(userId, e)
    return e.list
  }

  set(userId: string, customerId: string, list: InvoiceList, now: number): void {
    if (this.ttlMs <= 0 || this.maxEntries <= 0) return
    this.entries.delete(userId)
    if (this.entries.size >= this.maxEntries) for (const [id, e] of this.entries) if (e.expiresAt <= now) this.entries.delete(id)
    while (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value as string)
    this.entries.set(userId, { customerId, list, expiresAt: now + this.ttlMs })
  }
}

/**
 * The user's newest Stripe invoices (at most INVOICE_LIMIT), from `cache`
 * when read within its TTL. Without Stripe or a customer the list is empty
 * and says so (`stripe: false`): there is nothing at Stripe to show.
 */
export const listInvoices = Effect.fn("Billing.listInvoices")(function* (user: UserRow, cache: InvoiceCache) {
  const stripe = yield* StripeClient
  const customerId = user.stripeCustomerId
  if (!stripe.enabled || !customerId) return localOnly
  const cached = cache.get(user.id, customerId, yield* Clock.currentTimeMillis)
  if (cached) return cached
  const page = yield* stripe.listInvoices(customerId, INVOICE_LIMIT).pipe(
    // Only the none client fails so, and `enabled` ruled it out above: seen here, it is a bug.
    Effect.catchTag("BillingDisabled", (e) => Effect.die(e)),
    // The answer says only "provider error"; the log tells a refused key from an outage.
    Effect.tapError((e) => Effect.logWarning("Stripe invoices not listed", { user_id: user.id, kind: e.kind, status: e.status, code: e.code })),
  )
  const list: InvoiceList = { stripe: true, invoices: page.invoices.map(invoiceOf), hasMore: page.hasMore }
  // The TTL runs from Stripe's answer, not from the request.
  cache.set(user.id, customerId, list, yield* Clock.currentTimeMillis)
  return list
})
