import type { PgDb } from "../../platform/db/database"
import { attempt } from "../tx"
import type { BillingRepo } from "./repo"
import { closePeriodStatement, effectStatements, insertEvent, periodsOfStatement, reconcileStatement, toPeriods, toReconciliation, toUserUsage, userByCustomer, userUsageStatement } from "./statements"

export const pgBilling = (db: PgDb): BillingRepo => ({
  // The event row is inserted first in the transaction, so a concurrent
  // delivery of the same id waits on it and then sees "duplicate".
  applyWebhook: (event, effect) =>
    attempt(() =>
      db.transaction(async (tx) => {
        if ((await tx.execute(insertEvent(event.id, event.type, event.now))).length === 0) return "duplicate" as const
        if (!effect) return "applied" as const
        const [user] = await tx.execute<{ id: string }>(userByCustomer(effect.customerId))
        if (!user) return "unknown_customer" as const
        for (const s of effectStatements(user.id, effect, event.now)) await tx.execute(s)
        return "applied" as const
      }),
    ),
  closePeriod: (range, now) => attempt(async () => (await db.execute(closePeriodStatement(range, now))).length),
  reconcile: (range) => attempt(async () => toReconciliation(range.period, [...(await db.execute(reconcileStatement(range)))] as never)),
  userUsage: (userId, range) => attempt(async () => toUserUsage([...(await db.execute(userUsageStatement(userId, range)))] as never)),
  periodsOf: (userId, limit) => attempt(async () => toPeriods([...(await db.execute(periodsOfStatement(userId, limit)))] as never)),
})
