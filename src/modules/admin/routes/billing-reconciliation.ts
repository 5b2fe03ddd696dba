import { Effect } from "effect"
import { Elysia, t } from "elysia"
import type { Respond } from "../../../platform/http/respond"
import { inputFailures } from "../../../platform/http/failures"
import { reconcilePeriod, unattributedMeterErrors } from "../../billing/service"
import { adminResponder } from "../guard"
import { security } from "../../../platform/http/security"

const failures = ["StoreUnavailable"] as const

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
  flagged_rows: t.Integer({ description: "Rows Stripe will not take or dropped after accepting them (too old, refused, no customer, named in a meter error report): for the operator" }),
  flagged_micro_usd: micro("Flagged rows"),
  match: t.Boolean({ description: "Stripe holds every billable micro-dollar" }),
})

const MeterErrors = t.Object({
  event_id: t.String({ description: "Stripe event id of the report" }),
  type: t.String({ description: "v1.billing.meter.error_report_triggered or v1.billing.meter.no_meter_found" }),
  meter_id: t.Union([t.String(), t.Null()], { description: "The meter the report is about, if any" }),
  errors: t.Integer({ description: "Errors in the report" }),
  unattributed: t.Integer({ description: "Errors that name no usage row of ours: events Stripe dropped that no line above can show" }),
  summary: t.String({ description: "Stripe's summary and the error codes with their counts" }),
  window_start: t.String({ description: "Start of Stripe's validation window (ISO 8601)" }),
  window_end: t.String({ description: "End of Stripe's validation window (ISO 8601)" }),
})

const Report = t.Object({
  period: t.String({ description: "YYYY-MM" }),
  users: t.Array(Line, { description: "One line per user with settled usage in the period" }),
  unattributed_meter_errors: t.Array(MeterErrors, {
    description: "Stripe's asynchronous meter error reports from the period's start to 35 days after its end (usage can be reported that late) with errors naming no usage row; rows a report names are counted as flagged above",
  }),
  match: t.Boolean({ description: "Every user matches and no meter error report leaves errors unattributed" }),
})

export const billingReconciliationRoute = (respond: Respond) => {
  const admin = adminResponder(respond)
  return new Elysia().get(
    "/admin/billing/reconciliation",
    ({ request, query }) =>
      admin.respond(request, failures, Effect.all([reconcilePeriod(query.period), unattributedMeterErrors(query.period)]).pipe(
          Effect.map(([rows, reports]) => ({
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
            unattributed_meter_errors: reports.map((m) => ({
              event_id: m.eventId,
              type: m.type,
              meter_id: m.meterId,
              errors: m.errorCount,
              unattributed: m.unattributed,
              summary: m.summary,
              window_start: new Date(m.windowStart).toISOString(),
              window_end: new Date(m.windowEnd).toISOString(),
            })),
            match: rows.every((r) => r.match) && reports.length === 0,
          })),
        )),
    {
      query: Query,
      response: admin.documented({ 200: Report }, failures, inputFailures),
      detail: { security: security.admin, operationId: "adminBillingReconciliation", tags: ["admin"], summary: "Ledger against Stripe for one month: settled, billable, reported, unreported and flagged per user, and Stripe's meter errors no row shows" },
    },
  )
}
