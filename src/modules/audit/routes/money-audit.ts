import { Clock, Effect } from "effect"
import { Elysia, t } from "elysia"
import type { Respond } from "../../../platform/http/respond"
import { inputFailures } from "../../../platform/http/failures"
import { periodOf } from "../../../platform/period"
import { adminResponder } from "../../admin/guard"
import { auditPeriod } from "../audit"
import { security } from "../../../platform/http/security"

const failures = ["ChainUnavailable", "StoreUnavailable"] as const

const Query = t.Object({
  period: t.Optional(t.String({ pattern: "^\\d{4}-(0[1-9]|1[0-2])$", description: "Calendar month (UTC), YYYY-MM; the current month when absent" })),
})

const Finding = t.Object({
  kind: t.Union(
    ["duplicate_signature", "duplicate_intent", "settled_without_payment", "paid_without_charge", "counter_mismatch", "stripe_flagged", "stripe_overdue"].map((k) => t.Literal(k)),
    { description: "What is off" },
  ),
  severity: t.Union([t.Literal("error"), t.Literal("warning")], { description: "error: money is off; warning: billing is late" }),
  detail: t.String({ description: "What was found, with the figures" }),
  row_ids: t.Array(t.String(), { description: "Usage rows concerned (at most 100 listed)" }),
  key_id: t.Optional(t.String({ description: "The key whose counters differ from its rows" })),
})

const Report = t.Object({
  period: t.String({ description: "YYYY-MM" }),
  settled_rows_checked: t.Integer({ description: "Settled rows whose payment was looked up on chain" }),
  ok: t.Boolean({ description: "No finding of error severity" }),
  findings: t.Array(Finding, { description: "Empty when every charge has its own payment and every count agrees" }),
})

export const moneyAuditRoute = (respond: Respond) => {
  const admin = adminResponder(respond)
  return new Elysia().get(
    "/admin/audit",
    ({ request, query }) =>
      admin.respond(request, failures, Effect.gen(function* () {
          const period = query.period ?? periodOf(yield* Clock.currentTimeMillis)
          const report = yield* auditPeriod(period)
          return {
            period: report.period,
            settled_rows_checked: report.settledRowsChecked,
            ok: report.ok,
            findings: report.findings.map((f) => ({ kind: f.kind, severity: f.severity, detail: f.detail, row_ids: [...f.rowIds], ...(f.keyId ? { key_id: f.keyId } : {}) })),
          }
        })),
    {
      query: Query,
      response: admin.documented({ 200: Report }, failures, inputFailures),
      detail: { security: security.admin, operationId: "adminMoneyAudit", tags: ["admin"], summary: "Money audit of one month: shared payments, settled rows without their own payment, counters against rows, Stripe refusals" },
    },
  )
}
