import { and, eq } from "drizzle-orm"
import type { SqliteDb } from "../../platform/db/database"
import { usagePeriods } from "../../platform/db/schema.sqlite"
import { attempt } from "../tx"
import type { PeriodsRepo } from "./repo"

// Every agent call reserves an op and its spend here, and a failed call gives
// them back: cached bun:sqlite statements instead of a drizzle build each
// time (see src/store/keys/sqlite.ts). `changes` counts the updated row (no
// trigger writes to usage_periods).
// Upsert with a guarded update: insert counts the first call; on conflict
// the WHERE keeps ops below the quota. No read-then-write.
const countOp = `insert into "usage_periods" ("key_id", "period", "ops", "spend_micro_usd") values (?, ?, 1, 0) on conflict ("key_id", "period") do update set "ops" = "usage_periods"."ops" + 1`
const countOpUnlimited = `${countOp} returning "ops"`
const countOpBelowQuota = `${countOp} where "usage_periods"."ops" < ? returning "ops"`
const addSpend = `update "usage_periods" set "spend_micro_usd" = "spend_micro_usd" + ? where "key_id" = ? and "period" = ?`
const addSpendUnderCap = `${addSpend} and "spend_micro_usd" + ? <= ?`
const giveBack = `update "usage_periods" set "ops" = max("ops" - ?, 0), "spend_micro_usd" = max("spend_micro_usd" - ?, 0) where "key_id" = ? and "period" = ?`

type OpsRow = { readonly ops: number }

export const sqlitePeriods = (db: SqliteDb): PeriodsRepo => ({
  reserveOp: (keyId, period, quota) =>
    attempt(() => {
      if (quota !== null && quota <= 0) return undefined
      const row =
        quota === null
          ? db.$client.query<OpsRow, [string, string]>(countOpUnlimited).get(keyId, period)
          : db.$client.query<OpsRow, [string, string, number]>(countOpBelowQuota).get(keyId, period, quota)
      return row?.ops
    }),
  reserveSpend: (keyId, period, amount, cap) =>
    attempt(
      () =>
        (cap === null
          ? db.$client.query(addSpend).run(amount, keyId, period)
          : db.$client.query(addSpendUnderCap).run(amount, keyId, period, amount, cap)
        ).changes === 1,
    ),
  release: (keyId, period, ops, amount) => attempt(() => void db.$client.query(giveBack).run(ops, amount, keyId, period)),
  get: (keyId, period) =>
    attempt(() => {
      const row = db.select().from(usagePeriods).where(and(eq(usagePeriods.keyId, keyId), eq(usagePeriods.period, period))).get()
      return { ops: row?.ops ?? 0, spendMicroUsd: row?.spendMicroUsd ?? 0 }
    }),
})
