import type { SqliteDb } from "../../platform/db/database"
import { attempt } from "../tx"
import { attributedCount, flagReason, flagUsage, insertReport, knownUsageIds, sampleIdentifiers, toFlagged, toUnattributed, unattributedStatement } from "./meter-errors"
import type { BillingRepo, FlaggedUsage } from "./repo"
import {
  closePeriodStatement, effectSteps, hasEventStatement, insertEvent, periodsOfStatement, reconcileStatement, setEventOutcome, toPeriods, toReconciliation, toUserUsage, userByCustomer, userUsageStatement,
} from "./statements"
import { claimVersion } from "./versions"

export const sqliteBilling = (db: SqliteDb): BillingRepo => ({
  applyWebhook: (event, effect) =>
    attempt(() =>
      db.transaction((tx) => {
        if (tx.all(insertEvent(event, "applied")).length === 0) return "duplicate" as const
        if (!effect) return "applied" as const
        const [user] = tx.all<{ id: string }>(userByCustomer(effect.customerId))
        if (!user) {
          tx.run(setEventOutcome(event.id, "unknown_customer"))
          return "unknown_customer" as const
        }
        let applied = 0
        for (const step of effectSteps(user.id, effect, event.now)) {
          if (step.version && tx.all(claimVersion(step.version, event)).length === 0) continue
          for (const s of step.statements) tx.run(s)
          applied++
        }
        if (applied > 0) return "applied" as const
        tx.run(setEventOutcome(event.id, "stale"))
        return "stale" as const
      }, { behavior: "immediate" }),
    ),
  recordIgnored: (event, outcome) => attempt(() => (db.all(insertEvent(event, outcome)).length === 0 ? "duplicate" as const : "recorded" as const)),
  hasEvent: (id) => attempt(() => db.all(hasEventStatement(id)).length > 0),
  applyMeterErrorReport: (event, report) =>
    attempt(() =>
      db.transaction((tx) => {
        if (tx.all(insertEvent(event, "applied")).length === 0) return { outcome: "duplicate" as const, flagged: [], attributed: 0 }
        const ids = sampleIdentifiers(report)
        const known = new Set(ids.length === 0 ? [] : tx.all<{ id: string }>(knownUsageIds(ids)).map((r) => r.id))
        const flagged: Array<FlaggedUsage> = []
        for (const sample of report.samples) {
          if (!known.has(sample.identifier)) continue
          const reason = flagReason(event, sample)
          flagged.push(...toFlagged(tx.all(flagUsage(sample.identifier, reason)), reason))
        }
        const attributed = attributedCount(report, known)
        tx.run(insertReport(event, report, attributed))
        return { outcome: "applied" as const, flagged, attributed }
      }, { behavior: "immediate" }),
    ),
  unattributedMeterErrors: (window) => attempt(() => toUnattributed(db.all(unattributedStatement(window)))),
  closePeriod: (range, now) => attempt(() => db.all(closePeriodStatement(range, now)).length),
  reconcile: (range) => attempt(() => toReconciliation(range.period, db.all(reconcileStatement(range)))),
  userUsage: (userId, range) => attempt(() => toUserUsage(db.all(userUsageStatement(userId, range)) as never)),
  periodsOf: (userId, limit) => attempt(() => toPeriods(db.all(periodsOfStatement(userId, limit)) as never)),
})
