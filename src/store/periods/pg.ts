import { and, eq, sql } from "drizzle-orm"
import type { PgDb } from "../../platform/db/database"
import { usagePeriods } from "../../platform/db/schema.pg"
import { attempt } from "../tx"
import type { PeriodsRepo } from "./repo"

export const pgPeriods = (db: PgDb): PeriodsRepo => ({
  reserveOp: (keyId, period, quota) =>
    attempt(async () => {
      if (quota !== null && quota <= 0) return undefined
      // INSERT … ON CONFLICT DO UPDATE … WHERE takes the row lock, so
      // concurrent reservations serialise on the row and never overshoot.
      const rows = await db
        .insert(usagePeriods)
        .values({ keyId, period, ops: 1, spendMicroUsd: 0 })
        .onConflictDoUpdate({
          target: [usagePeriods.keyId, usagePeriods.period],
          set: { ops: sql`${usagePeriods.ops} + 1` },
          ...(quota === null ? {} : { setWhere: sql`${usagePeriods.ops} < ${quota}` }),
        })
        .returning({ ops: usagePeriods.ops })
      return rows[0]?.ops
    }),
  reserveSpend: (keyId, period, amount, cap) =>
    attempt(
      async () =>
        (
          await db
            .update(usagePeriods)
            .set({ spendMicroUsd: sql`${usagePeriods.spendMicroUsd} + ${amount}` })
            .where(and(eq(usagePeriods.keyId, keyId), eq(usagePeriods.period, period), cap === null ? undefined : sql`${usagePeriods.spendMicroUsd} + ${amount} <= ${cap}`))
            .returning({ ops: usagePeriods.ops })
        ).length === 1,
    ),
  release: (keyId, period, ops, amount) =>
    attempt(
      async () =>
        void (await db
          .update(usagePeriods)
          .set({ ops: sql`greatest(${usagePeriods.ops} - ${ops}, 0)`, spendMicroUsd: sql`greatest(${usagePeriods.spendMicroUsd} - ${amount}, 0)` })
          .where(and(eq(usagePeriods.keyId, keyId), eq(usagePeriods.period, period)))),
    ),
  get: (keyId, period) =>
    attempt(async () => {
      const row = (await db.select().from(usagePeriods).where(and(eq(usagePeriods.keyId, keyId), eq(usagePeriods.period, period))).limit(1))[0]
      return { ops: row?.ops ?? 0, spendMicroUsd: row?.spendMicroUsd ?? 0 }
    }),
})
