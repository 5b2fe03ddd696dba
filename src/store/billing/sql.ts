// Billing over the dialect port; the statements are in statements.ts and
// meter-errors.ts. On Postgres the event row is inserted first in each
// transaction, so a concurrent delivery of the same id waits on it and then
// sees "duplicate"; the version upsert locks its subject the same way, so two
// events on one piece of state are ordered against each other, not raced.
import { Effect } from "effect"
import { lockCounters } from "../outbox/sql"
import type { SqlPort } from "../port"
import { attributedCount, flagNamed, flagReason, insertReport, knownIdentifiers, namedByAny, sampleIdentifiers, toFlagged, toUnattributed, unattributedStatement } from "./meter-errors"
import type { AppliedWebhook, BillingRepo, FlaggedUsage, KeyStatus, Notice, WebhookOutcome } from "./repo"
import {
  closePeriodStatement, effectSteps, eventNotices, hasEventStatement, insertEvent, keyStatusesOf, periodsOfStatement, reconcileStatement, setEventNotices, setEventOutcome, toPeriods, toReconciliation, toUserUsage, userByCustomer,
  userUsageStatement,
} from "./statements"
import { claimVersion } from "./versions"

export const sqlBilling = (port: SqlPort): BillingRepo => {
  const { all } = port
  return {
    applyWebhook: (event, effect, noticesOf) =>
      port.transaction((tx) =>
        Effect.gen(function* () {
          const answer = (outcome: WebhookOutcome, notices: ReadonlyArray<Notice> = []): AppliedWebhook => ({ outcome, notices })
          if ((yield* tx.all(insertEvent(event, "applied"))).length === 0) {
            const [owed] = yield* tx.all<{ notices: string | null }>(eventNotices(event.id))
            return answer("duplicate", owed?.notices ? (JSON.parse(owed.notices) as ReadonlyArray<Notice>) : [])
          }
          if (!effect) return answer("applied")
          const [user] = yield* tx.all<{ id: string }>(userByCustomer(effect.customerId))
          if (!user) {
            yield* tx.run(setEventOutcome(event.id, "unknown_customer"))
            return answer("unknown_customer")
          }
          const before = noticesOf ? yield* tx.all<KeyStatus>(keyStatusesOf(user.id)) : []
          let applied = 0
          for (const step of effectSteps(user.id, effect, event.now)) {
            if (step.version && (yield* tx.all(claimVersion(step.version, event))).length === 0) continue
            for (const s of step.statements) yield* tx.run(s)
            applied++
          }
          if (applied === 0) {
            yield* tx.run(setEventOutcome(event.id, "stale"))
            return answer("stale")
          }
          const notices = noticesOf ? noticesOf(user.id, before, yield* tx.all<KeyStatus>(keyStatusesOf(user.id))) : []
          if (notices.length > 0) yield* tx.run(setEventNotices(event.id, JSON.stringify(notices)))
          return answer("applied", notices)
        }),
      ),
    noticesQueued: (eventId) => port.run(setEventNotices(eventId, null)),
    recordIgnored: (event, outcome) => Effect.map(all(insertEvent(event, outcome)), (rows) => (rows.length === 0 ? ("duplicate" as const) : ("recorded" as const))),
    hasEvent: (id) => Effect.map(all(hasEventStatement(id)), (rows) => rows.length > 0),
    applyMeterErrorReport: (event, report) =>
      port.transaction((tx) =>
        Effect.gen(function* () {
          if ((yield* tx.all(insertEvent(event, "applied"))).length === 0) return { outcome: "duplicate" as const, flagged: [], attributed: 0 }
          const ids = sampleIdentifiers(report)
          const known = new Set(ids.length === 0 ? [] : (yield* tx.all<{ id: string }>(knownIdentifiers(ids))).map((r) => r.id))
          // The counters first, in one order (see lockCountersStatement), then the rows.
          if (known.size > 0) yield* lockCounters(tx, namedByAny([...known]))
          const flagged: Array<FlaggedUsage> = []
          for (const sample of report.samples) {
            if (!known.has(sample.identifier)) continue
            const reason = flagReason(event, sample)
            flagged.push(...toFlagged([...(yield* tx.all(flagNamed(sample.identifier, reason)))] as never, reason))
          }
          const attributed = attributedCount(report, known)
          yield* tx.run(insertReport(event, report, attributed))
          return { outcome: "applied" as const, flagged, attributed }
        }),
      ),
    unattributedMeterErrors: (window) => Effect.map(all(unattributedStatement(window)), (rows) => toUnattributed([...rows] as never)),
    closePeriod: (range, now) => Effect.map(all(closePeriodStatement(range, now)), (rows) => rows.length),
    reconcile: (range) => Effect.map(all(reconcileStatement(range)), (rows) => toReconciliation(range.period, [...rows] as never)),
    userUsage: (userId, range) => Effect.map(all(userUsageStatement(userId, range)), (rows) => toUserUsage([...rows] as never)),
    periodsOf: (userId, limit) => Effect.map(all(periodsOfStatement(userId, limit)), (rows) => toPeriods([...rows] as never)),
  }
}
