import type { SqliteDb } from "../../platform/db/database"
import { attempt } from "../tx"
import type { BillingRepo } from "./repo"
import {
  closePeriodStatement, effectSteps, insertEvent, periodsOfStatement, reconcileStatement, setEventOutcome, toPeriods, toReconciliation, toUserUsage, userByCustomer, userUsageStatement,
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
  closePeriod: (range, now) => attempt(() => db.all(closePeriodStatement(range, now)).length),
  reconcile: (range) => attempt(() => toReconciliation(range.period, db.all(reconcileStatement(range)))),
  userUsage: (userId, range) => attempt(() => toUserUsage(db.all(userUsageStatement(userId, range)) as never)),
  periodsOf: (userId, limit) => attempt(() => toPeriods(db.all(periodsOfStatement(userId, limit)) as never)),
})
