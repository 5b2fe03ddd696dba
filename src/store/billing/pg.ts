import type { PgDb } from "../../platform/db/database"
import { attempt } from "../tx"
import { attributedCount, flagReason, flagUsage, insertReport, knownUsageIds, sampleIdentifiers, toFlagged, toUnattributed, unattributedStatement } from "./meter-errors"
import type { BillingRepo, FlaggedUsage } from "./repo"
import {
  closePeriodStatement, effectSteps, hasEventStatement, insertEvent, periodsOfStatement, reconcileStatement, setEventOutcome, toPeriods, toReconciliation, toUserUsage, userByCustomer, userUsageStatement,
} from "./statements"
import { claimVersion } from "./versions"

export const pgBilling = (db: PgDb): BillingRepo => ({
  // The event row is inserted first in the transaction, so a concurrent
  // delivery of the same id waits on it and then sees "duplicate". The
  // version upsert locks its subject the same way, so two events on one piece
  // of state are ordered against each other, not raced.
  applyWebhook: (event, effect) =>
    attempt(() =>
      db.transaction(async (tx) => {
        if ((await tx.execute(insertEvent(event, "applied"))).length === 0) return "duplicate" as const
        if (!effect) return "applied" as const
        const [user] = await tx.execute<{ id: string }>(userByCustomer(effect.customerId))
        if (!user) {
          await tx.execute(setEventOutcome(event.id, "unknown_customer"))
          return "unknown_customer" as const
        }
        let applied = 0
        for (const step of effectSteps(user.id, effect, event.now)) {
          if (step.version && (await tx.execute(claimVersion(step.version, event))).length === 0) continue
          for (const s of step.statements) await tx.execute(s)
          applied++
        }
        if (applied > 0) return "applied" as const
        await tx.execute(setEventOutcome(event.id, "stale"))
        return "stale" as const
      }),
    ),
  recordIgnored: (event, outcome) => attempt(async () => ((await db.execute(insertEvent(event, outcome))).length === 0 ? "duplicate" as const : "recorded" as const)),
  hasEvent: (id) => attempt(async () => (await db.execute(hasEventStatement(id))).length > 0),
  applyMeterErrorReport: (event, report) =>
    attempt(() =>
      db.transaction(async (tx) => {
        if ((await tx.execute(insertEvent(event, "applied"))).length === 0) return { outcome: "duplicate" as const, flagged: [], attributed: 0 }
        const ids = sampleIdentifiers(report)
        const known = new Set(ids.length === 0 ? [] : [...(await tx.execute<{ id: string }>(knownUsageIds(ids)))].map((r) => r.id))
        const flagged: Array<FlaggedUsage> = []
        for (const sample of report.samples) {
          if (!known.has(sample.identifier)) continue
          const reason = flagReason(event, sample)
          flagged.push(...toFlagged([...(await tx.execute(flagUsage(sample.identifier, reason)))], reason))
        }
        const attributed = attributedCount(report, known)
        await tx.execute(insertReport(event, report, attributed))
        return { outcome: "applied" as const, flagged, attributed }
      }),
    ),
  unattributedMeterErrors: (window) => attempt(async () => toUnattributed([...(await db.execute(unattributedStatement(window)))])),
  closePeriod: (range, now) => attempt(async () => (await db.execute(closePeriodStatement(range, now))).length),
  reconcile: (range) => attempt(async () => toReconciliation(range.period, [...(await db.execute(reconcileStatement(range)))] as never)),
  userUsage: (userId, range) => attempt(async () => toUserUsage([...(await db.execute(userUsageStatement(userId, range)))] as never)),
  periodsOf: (userId, limit) => attempt(async () => toPeriods([...(await db.execute(periodsOfStatement(userId, limit)))] as never)),
})
