import { Effect } from "effect"
import { Elysia, t } from "elysia"
import type { Respond } from "../../../platform/http/respond"
import { formatUsd } from "../../gateway/money"
import { signedInResponder } from "../../auth/session-guard"
import { billingSummary } from "../account"
import { security } from "../../../platform/http/security"

const failures = ["StoreUnavailable"] as const

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString())

const Account = t.Object({
  tier: t.String({ description: "free, paid, pro or enterprise" }),
  stripe_enabled: t.Boolean({ description: "Whether this gateway bills through Stripe" }),
  has_stripe_customer: t.Boolean({ description: "Whether the account has its Stripe customer yet" }),
  card: t.Object({
    verified: t.Boolean({ description: "A card was saved and confirmed by Stripe" }),
    verified_at: t.Union([t.String(), t.Null()], { description: "ISO time the card was first verified" }),
  }),
  current_period: t.Object({
    period: t.String({ description: "This calendar month (UTC), YYYY-MM" }),
    ops: t.Integer({ description: "Settled agent calls this month, every key" }),
    total_micro_usd: t.Integer({ description: "What those calls cost, micro-USD (running total)" }),
    total_usd: t.String({ description: "The same as a decimal USD string" }),
    billable_micro_usd: t.Integer({ description: "Part billed through Stripe: calls made on a paid tier (free-tier usage is never billed)" }),
    billable_usd: t.String({ description: "The same as a decimal USD string" }),
    reported_micro_usd: t.Integer({ description: "Part Stripe has already accepted" }),
  }),
  periods: t.Array(
    t.Object({
      period: t.String({ description: "YYYY-MM (UTC)" }),
      ops: t.Integer({ description: "Settled calls" }),
      total_micro_usd: t.Integer({ description: "Total, micro-USD" }),
      total_usd: t.String({ description: "Total, decimal USD string" }),
      status: t.String({ description: "pending, paid, failed or refunded" }),
      stripe_invoice_id: t.Union([t.String(), t.Null()], { description: "Stripe invoice, once finalized" }),
      closed_at: t.Union([t.String(), t.Null()], { description: "ISO time the period's totals were written" }),
    }),
    { description: "Past billing periods, newest first (at most 24)" },
  ),
})

export const billingAccountRoute = (respond: Respond) => {
  const signedIn = signedInResponder(respond)
  return new Elysia().get(
    "/v1/billing",
    ({ request }) =>
      signedIn.respond(request, failures, (user) =>
        billingSummary(user).pipe(
          Effect.map((s) => ({
            tier: s.user.tier,
            stripe_enabled: s.stripeEnabled,
            has_stripe_customer: s.user.stripeCustomerId !== null,
            card: { verified: s.user.cardVerifiedAt !== null, verified_at: iso(s.user.cardVerifiedAt) },
            current_period: {
              period: s.period,
              ops: s.usage.ops,
              total_micro_usd: s.usage.settledMicroUsd,
              total_usd: formatUsd(s.usage.settledMicroUsd),
              billable_micro_usd: s.usage.billableMicroUsd,
              billable_usd: formatUsd(s.usage.billableMicroUsd),
              reported_micro_usd: s.usage.reportedMicroUsd,
            },
            periods: s.periods.map((p) => ({
              period: p.period,
              ops: p.ops,
              total_micro_usd: p.totalMicroUsd,
              total_usd: formatUsd(p.totalMicroUsd),
              status: p.status,
              stripe_invoice_id: p.stripeInvoiceId,
              closed_at: iso(p.closedAt),
            })),
          })),
        )),
    {
      response: signedIn.documented({ 200: Account }, failures),
      detail: { security: security.session, operationId: "billingAccount", tags: ["billing"], summary: "Tier, card status, this month's running total and past billing periods" },
    },
  )
}
