import { Effect } from "effect"
import { Elysia, t } from "elysia"
import type { Respond } from "../../../app/respond"
import { withProblems } from "../../../platform/http/problem"
import { reconcilePeriod } from "../../billing/service"
import { asAdmin } from "../guard"

const Query = t.Object({
  period: t.String({ pattern: "^\\d{4}-(0[1-9]|1[0-2])$", description: "Calendar month (UTC), YYYY-MM" }),
})

const micro = (description: string) => t.Integer({ description: `${description}, micro-USD` })

const Line = t.Object({
  user_id: t.String({ description: "User id" }),
  settled_ops: t.Integer({ description: "Settled calls in the period, every tier" }),
  settled_micro_usd: micro("Settled usage, every tier"),
  billable_micro_usd: micro("Settled usage to bill through Stripe (paid tiers)"),
  reported_micro_usd: micro("Accepted by Stripe"),
  unreported_rows: t.Integer({ description: "Billable rows not yet reported" }),
  unreported_micro_usd: micro("Billable, not yet reported"),
  flagged_rows: t.Integer({ description: "Rows Stripe will not take (too old, refused, no customer): for the operator" }),
  flagged_micro_usd: micro("Flagged rows"),
  match: t.Boolean({ description: "Stripe holds every billable micro-dollar" }),
})

const Report = t.Object({
  period: t.String({ description: "YYYY-MM" }),
  users: t.Array(Line, { description: "One line per user with settled usage in the period" }),
  match: t.Boolean({ description: "Every user matches" }),
})

export const billingReconciliationRoute = (respond: Respond) =>
  new Elysia().get(
    "/admin/billing/reconciliation",
    ({ request, query }) =>
      respond(
        request,
        asAdmin(
          request,
          reconcilePeriod(query.period).pipe(
            Effect.map((rows) => ({
              period: query.period,
              users: rows.map((r) => ({
                user_id: r.userId,
                settled_ops: r.settledOps,
                settled_micro_usd: r.settledMicroUsd,
                billable_micro_usd: r.billableMicroUsd,
                reported_micro_usd: r.reportedMicroUsd,
                unreported_rows: r.unreportedRows,
                unreported_micro_usd: r.unreportedMicroUsd,
                flagged_rows: r.flaggedRows,
                flagged_micro_usd: r.flaggedMicroUsd,
                match: r.match,
              })),
              match: rows.every((r) => r.match),
            })),
          ),
        ),
      ),
    {
      query: Query,
      response: withProblems({ 200: Report }, [401, 422]),
      detail: { operationId: "adminBillingReconciliation", tags: ["admin"], summary: "Ledger against Stripe for one month: settled, billable, reported, unreported and flagged per user" },
    },
  )
