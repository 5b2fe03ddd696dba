import { and, eq } from "drizzle-orm"
import type { PgDb } from "../../platform/db/database"
import { usagePeriods } from "../../platform/db/schema.pg"
import { attempt } from "../tx"
import type { PeriodsRepo } from "./repo"

export const pgPeriods = (db: PgDb): PeriodsRepo => ({
  get: (keyId, period) =>
    attempt(async () => {
      const row = (await db.select().from(usagePeriods).where(and(eq(usagePeriods.keyId, keyId), eq(usagePeriods.period, period))).limit(1))[0]
      return { ops: row?.ops ?? 0, spendMicroUsd: row?.spendMicroUsd ?? 0 }
    }),
})
