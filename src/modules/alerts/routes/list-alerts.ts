// GET /admin/alerts: what is firing now, and what cleared in the last day.
import { Clock, Effect } from "effect"
import { Elysia, t } from "elysia"
import type { Respond } from "../../../platform/http/respond"
import { DAY_MS } from "../../../platform/period"
import { security } from "../../../platform/http/security"
import { Store } from "../../../store/store"
import { adminResponder } from "../../admin/guard"
import { ALERT_KINDS } from "../conditions"

const failures = ["StoreUnavailable"] as const

const Alert = t.Object({
  id: t.String({ description: "kind:subject" }),
  kind: t.Union(ALERT_KINDS.map((k) => t.Literal(k)), { description: "The condition" }),
  subject: t.String({ description: "What it is about: a wallet's public key, a month, `stripe`, `usage`, `live`" }),
  state: t.Union([t.Literal("firing"), t.Literal("cleared")]),
  detail: t.String({ description: "What was found, with the figures" }),
  started_at: t.String({ description: "ISO time it started firing" }),
  cleared_at: t.Union([t.String(), t.Null()], { description: "ISO time it cleared; null while firing" }),
  delivered: t.Boolean({ description: "Its current state reached ALERT_WEBHOOK_URL (or the log, without one)" }),
})

export const listAlertsRoute = (respond: Respond) => {
  const admin = adminResponder(respond)
  return new Elysia().get(
    "/admin/alerts",
    ({ request }) =>
      admin.respond(
        request,
        failures,
        Effect.gen(function* () {
          const store = yield* Store
          const rows = yield* store.alerts.list((yield* Clock.currentTimeMillis) - DAY_MS)
          return {
            alerts: rows.map((a) => ({
              id: a.id,
              kind: a.kind as (typeof ALERT_KINDS)[number],
              subject: a.subject,
              state: a.state,
              detail: a.detail,
              started_at: new Date(a.startedAt).toISOString(),
              cleared_at: a.clearedAt === null ? null : new Date(a.clearedAt).toISOString(),
              delivered: a.notifiedState === a.state,
            })),
          }
        }),
      ),
    {
      response: admin.documented({ 200: t.Object({ alerts: t.Array(Alert, { description: "Firing alerts and those cleared in the last 24 hours, newest first" }) }) }, failures),
      detail: { security: security.admin, operationId: "adminListAlerts", tags: ["admin"], summary: "Operator alerts: firing now, and cleared in the last day" },
    },
  )
}
