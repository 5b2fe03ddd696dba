// The hourly audit of the current month (and, in its first day, the last):
// one instance at a time; findings are logged at error level for alerting.
import { Cause, Clock, Effect } from "effect"
import { withJobLock } from "../../platform/jobs/lock"
import { DAY_MS, periodOf, previousPeriod } from "../../platform/period"
import { auditPeriod } from "./audit"
import { observe } from "../alerts/service"

export const AUDIT_JOB = "money-audit"


const auditNow = Effect.gen(function* () {
  const now = yield* Clock.currentTimeMillis
  const moneyOff: Array<{ subject: string; detail: string }> = []
  const periods = [...new Set([periodOf(now - DAY_MS) === periodOf(now) ? undefined : previousPeriod(now), periodOf(now)].filter((p): p is string => p !== undefined))]
  for (const period of periods) {
    const report = yield* auditPeriod(period)
    for (const f of report.findings) {
      const log = f.severity === "error" ? Effect.logError : Effect.logWarning
      yield* log("money audit finding", { period, kind: f.kind, detail: f.detail, key_id: f.keyId, row_ids: f.rowIds.slice(0, 20).join(",") })
    }
    if (report.findings.length === 0) yield* Effect.logInfo("money audit clean", { period, settled_rows_checked: report.settledRowsChecked })
    const errors = report.findings.filter((f) => f.severity === "error")
    if (errors.length > 0) moneyOff.push({ subject: period, detail: `The money audit of ${period} found ${errors.map((f) => f.kind).join(", ")}: ${errors[0]!.detail}` })
  }
  // An audit that ran clean clears the alert; one that failed to run leaves it as it was.
  yield* observe("money_off", moneyOff)
})

export const runAuditJob = withJobLock(AUDIT_JOB, auditNow).pipe(
  Effect.catchCause((cause) => Effect.as(Effect.logError("money audit failed", { cause: Cause.pretty(cause) }), { ran: false as const })),
)
