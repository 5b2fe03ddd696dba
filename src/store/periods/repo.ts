import type { Effect } from "effect"
import type { StoreUnavailable } from "../../platform/db/errors"

export type PeriodTotals = { readonly ops: number; readonly spendMicroUsd: number }

// The counters are written only with the usage rows they count
// (src/store/usage: record, release), so they always equal the rows.
export interface PeriodsRepo {
  readonly get: (keyId: string, period: string) => Effect.Effect<PeriodTotals, StoreUnavailable>
}
