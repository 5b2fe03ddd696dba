// Intake of Stripe's thin events (an event destination posting to
// /v1/webhooks/stripe/thin): today only the meter-event error reports. The
// usage rows a report names go back to the operator as flagged (they no
// longer count as accepted by Stripe); errors it counts without naming a row
// of ours are kept and logged at error level, and the reconciliation shows
// them. Every id is recorded once, so a redelivery changes nothing.
import { Clock, Effect } from "effect"
import { AppConfig } from "../../platform/config/service"
import { Store } from "../../store/store"
import { decodeMeterErrorReport, isMeterErrorType } from "./meter-error-report"
import { acknowledgeMalformed } from "./service"
import { StripeClient } from "./stripe-client"
import { isOdd } from "./webhooks/shared"

export type ThinEventResult = {
  readonly received: true
  readonly event_id: string
  readonly outcome: "applied" | "duplicate" | "ignored" | "malformed" | "foreign_meter"
  /** Usage rows this report moved to flagged. */
  readonly flagged_rows?: number
  /** Errors in this report that name no usage row of ours. */
  readonly unattributed_errors?: number
}

export const receiveStripeThinEvent = Effect.fn("Billing.receiveThinEvent")(function* (rawBody: string, signature: string | null) {
  const stripe = yield* StripeClient
  const store = yield* Store
  const config = yield* AppConfig
  const notified = yield* stripe.verifyThinEvent(rawBody, signature)
  const answer = (outcome: ThinEventResult["outcome"], extra: Partial<ThinEventResult> = {}): ThinEventResult => ({ received: true, event_id: notified.id, outcome, ...extra })
  if (!isMeterErrorType(notified.type)) {
    yield* Effect.logDebug("stripe thin event ignored", { event_id: notified.id, type: notified.type })
    return answer("ignored")
  }
  // A redelivery is answered from our record, without asking Stripe for the event again.
  if (yield* store.billing.hasEvent(notified.id)) return answer("duplicate")
  const now = yield* Clock.currentTimeMillis
  const record = { id: notified.id, type: notified.type, now }

  const meter = notified.relatedObject
  if (config.stripeMeterId && meter?.type === "billing.meter" && meter.id !== config.stripeMeterId) {
    // Another integration's meter on the same Stripe account: its events are not our rows.
    const recorded = yield* store.billing.recordIgnored(record, "foreign_meter")
    yield* Effect.logInfo("stripe meter error report about another meter; ignored", { event_id: notified.id, type: notified.type, meter_id: meter.id })
    return answer(recorded === "duplicate" ? "duplicate" : "foreign_meter")
  }

  const report = decodeMeterErrorReport(yield* stripe.fetchEvent(notified.id), notified)
  if (isOdd(report)) return answer((yield* acknowledgeMalformed(notified, report.odd)).outcome)

  const result = yield* store.billing.applyMeterErrorReport(record, report)
  if (result.outcome === "duplicate") return answer("duplicate")
  for (const row of result.flagged)
    yield* Effect.logWarning("usage row flagged for the operator", { usage_id: row.id, user_id: row.userId, micro_usd: row.developerPriceMicroUsd, reason: row.reason })
  const unattributed = report.errorCount - result.attributed
  const fields = { event_id: notified.id, type: notified.type, meter_id: report.meterId, errors: report.errorCount, flagged: result.flagged.length, unattributed, summary: report.summary }
  if (unattributed > 0)
    yield* Effect.logError("Stripe dropped meter events that name no usage row of ours: the billed total may be short; see the reconciliation", {
      ...fields,
      window_start: new Date(report.windowStart).toISOString(),
      window_end: new Date(report.windowEnd).toISOString(),
    })
  else yield* Effect.logWarning("stripe meter error report", fields)
  return answer("applied", { flagged_rows: result.flagged.length, unattributed_errors: unattributed })
})
