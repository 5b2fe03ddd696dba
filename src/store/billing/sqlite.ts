import type { SqliteDb } from "../../platform/db/database"
import { attempt } from "../tx"
import type { BillingRepo } from "./repo"
import { closePeriodStatement, effectStatements, insertEvent, periodsOfStatement, reconcileStatement, toPeriods, toReconciliation, toUserUsage, userByCustomer, userUsageStatement } from "./statements"

export const sqliteBilling = (db: SqliteDb): BillingRepo => ({
  applyWebhook: (event, effect) =>
    attempt(() =>
      db.transaction((tx) => {
        if (tx.all(insertEvent(event.id, event.type, event.now)).length === 0) return "duplicate" as const
        if (!effect) return "applied" as const
        const [user] = tx.all<{ id: string }>(userByCustomer(effect.customerId))
        if (!user) return "unknown_customer" as const
        for (const s of effectStatements(user.id, effect, event.now)) tx.run(s)
        return "applied" as const
      }, { behavior: "immediate" }),
    ),
  closePeriod: (range, now) => attempt(() => db.all(closePeriodStatement(range, now)).length),
  reconcile: (range) => attempt(() => toReconciliation(range.period, db.all(reconcileStatement(range)))),
  userUsage: (userId, range) => attempt(() => toUserUsage(db.all(userUsageStatement(userId, range)) as never)),
  periodsOf: (userId, limit) => attempt(() => toPeriods(db.all(periodsOfStatement(userId, limit)) as never)),
})
