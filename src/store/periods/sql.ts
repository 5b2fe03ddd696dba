// Period counters over the dialect port (written by the usage repository, in
// the same transaction as the row they count).
import { and, eq } from "drizzle-orm"
import { Effect } from "effect"
import type { SqlPort } from "../port"
import type { PeriodsRepo } from "./repo"

export const sqlPeriods = ({ db, t, first }: SqlPort): PeriodsRepo => ({
  get: (keyId, period) =>
    first(db.select().from(t.usagePeriods).where(and(eq(t.usagePeriods.keyId, keyId), eq(t.usagePeriods.period, period))).limit(1)).pipe(
      Effect.map((row) => ({ ops: Number(row?.ops ?? 0), spendMicroUsd: Number(row?.spendMicroUsd ?? 0) })),
    ),
})
