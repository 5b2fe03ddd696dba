import { and, eq, sql } from "drizzle-orm"
import type { SqliteDb } from "../../platform/db/database"
import { usagePeriods } from "../../platform/db/schema.sqlite"
import { attempt } from "../tx"
import type { PeriodsRepo } from "./repo"

export const sqlitePeriods = (db: SqliteDb): PeriodsRepo => ({
  reserveOp: (keyId, period, quota) =>
    attempt(() => {
      if (quota !== null && quota <= 0) return undefined
      // Upsert with a guarded update: insert counts the first call; on
      // conflict the WHERE keeps ops below the quota. No read-then-write.
      const row = db
        .insert(usagePeriods)
        .values({ keyId, period, ops: 1, spendMicroUsd: 0 })
        .onConflictDoUpdate({
          target: [usagePeriods.keyId, usagePeriods.period],
          set: { ops: sql`${usagePeriods.ops} + 1` },
          ...(quota === null ? {} : { setWhere: sql`${usagePeriods.ops} < ${quota}` }),
        })
        .returning({ ops: usagePeriods.ops })
        .get()
      return row?.ops
    }),
  reserveSpend: (keyId, period, amount, cap) =>
    attempt(
      () =>
        db
          .update(usagePeriods)
          .set({ spendMicroUsd: sql`${usagePeriods.spendMicroUsd} + ${amount}` })
          .where(and(eq(usagePeriods.keyId, keyId), eq(usagePeriods.period, period), cap === null ? undefined : sql`${usagePeriods.spendMicroUsd} + ${amount} <= ${cap}`))
          .returning({ ops: usagePeriods.ops })
          .all().length === 1,
    ),
  release: (keyId, period, ops, amount) =>
    attempt(
      () =>
        void db
          .update(usagePeriods)
          .set({ ops: sql`max(${usagePeriods.ops} - ${ops}, 0)`, spendMicroUsd: sql`max(${usagePeriods.spendMicroUsd} - ${amount}, 0)` })
          .where(and(eq(usagePeriods.keyId, keyId), eq(usagePeriods.period, period)))
          .run(),
    ),
  get: (keyId, period) =>
    attempt(() => {
      const row = db.select().from(usagePeriods).where(and(eq(usagePeriods.keyId, keyId), eq(usagePeriods.period, period))).get()
      return { ops: row?.ops ?? 0, spendMicroUsd: row?.spendMicroUsd ?? 0 }
    }),
})
