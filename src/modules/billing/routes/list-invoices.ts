import { Effect } from "effect"
import { Elysia, t } from "elysia"
import type { Respond } from "../../../platform/http/respond"
import { security } from "../../../platform/http/security"
import { signedInResponder } from "../../auth/session-guard"
import { INVOICE_CACHE_MAX_USERS, INVOICE_CACHE_TTL_MS, INVOICE_LIMIT, InvoiceCache, listInvoices } from "../invoices"

const failures = ["StripeRequestFailed"] as const

const isoOfSeconds = (s: number) => new Date(s * 1000).toISOString()

const Invoice = t.Object({
  id: t.String({ description: "Stripe invoice id (in_…)" }),
  number: t.Union([t.String(), t.Null()], { description: "The number printed on the invoice; null while it is a draft" }),
  status: t.Union([t.String(), t.Null()], { description: "Stripe's status: draft, open, paid, uncollectible or void" }),
  currency: t.String({ description: "Three-letter ISO currency code, lowercase (usd)" }),
  amount_due_micro_usd: t.Union([t.Integer(), t.Null()], { description: "What the invoice asks for, micro-USD (1 cent = 10,000); null if the invoice is not in USD" }),
  amount_paid_micro_usd: t.Union([t.Integer(), t.Null()], { description: "What has been paid on it, micro-USD; null if the invoice is not in USD" }),
  period_start: t.String({ description: "ISO time the invoice's period starts (metered usage is invoiced after its month)" }),
  period_end: t.String({ description: "ISO time the invoice's period ends" }),
  created: t.String({ description: "ISO time Stripe created the invoice" }),
  hosted_invoice_url: t.Union([t.String(), t.Null()], { description: "Stripe's page to view and pay the invoice (anyone holding the link can); null until finalized" }),
})

const Invoices = t.Object({
  stripe: t.Boolean({ description: "Whether the list comes from Stripe. False when this gateway does not bill through Stripe or the account has no Stripe customer yet: the list is then empty, and usage is in the local ledger (GET /v1/billing)" }),
  invoices: t.Array(Invoice, { description: `Newest first, at most ${INVOICE_LIMIT}; read from Stripe at most once every ${INVOICE_CACHE_TTL_MS / 1000} s per account` }),
  has_more: t.Boolean({ description: "Stripe holds older invoices than these" }),
})

/** The signed-in user's Stripe invoices; each app keeps its own short-lived cache of them. */
export const listInvoicesRoute = (respond: Respond) => {
  const signedIn = signedInResponder(respond)
  const cache = new InvoiceCache(INVOICE_CACHE_TTL_MS, INVOICE_CACHE_MAX_USERS)
  return new Elysia().get(
    "/v1/billing/invoices",
    ({ request }) =>
      signedIn.respond(request, failures, (user) =>
        listInvoices(user, cache).pipe(
          Effect.map((l) => ({
            stripe: l.stripe,
            invoices: l.invoices.map((i) => ({
              id: i.id,
              number: i.number,
              status: i.status,
              currency: i.currency,
              amount_due_micro_usd: i.amountDueMicroUsd,
              amount_paid_micro_usd: i.amountPaidMicroUsd,
              period_start: isoOfSeconds(i.periodStart),
              period_end: isoOfSeconds(i.periodEnd),
              created: isoOfSeconds(i.created),
              hosted_invoice_url: i.hostedInvoiceUrl,
            })),
            has_more: l.hasMore,
          })),
        ),
      // A hosted invoice URL opens the invoice without signing in: keep it out of shared caches.
      { headers: { "cache-control": "no-store" } }),
    {
      response: signedIn.documented({ 200: Invoices }, failures),
      detail: { security: security.session, operationId: "listInvoices", tags: ["billing"], summary: `Your Stripe invoices, newest first (at most ${INVOICE_LIMIT})` },
    },
  )
}
