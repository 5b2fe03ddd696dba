import { and, eq } from "drizzle-orm"
import type { SqliteDb } from "../../platform/db/database"
import { usagePeriods } from "../../platform/db/schema.sqlite"
import { attempt } from "../tx"
import type { PeriodsRepo } from "./repo"

export const sqlitePeriods = (db: SqliteDb): PeriodsRepo => ({
  get: (keyId, period) =>
    attempt(() => {
      const row = db.select().from(usagePeriods).where(and(eq(usagePeriods.keyId, keyId), eq(usagePeriods.period, period))).get()
      return { ops: row?.ops ?? 0, spendMicroUsd: row?.spendMicroUsd ?? 0 }
    }),
})
