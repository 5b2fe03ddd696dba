import type { Effect } from "effect"
import type { StoreUnavailable } from "../../platform/http/errors"

export type PeriodTotals = { readonly ops: number; readonly spendMicroUsd: number }

export interface PeriodsRepo {
  /**
   * Counts one call against the key's month in one atomic statement: succeeds
   * only while ops < quota (null = no quota). Returns the ops after the
   * reservation, or undefined when the quota is used up.
   */
  readonly reserveOp: (keyId: string, period: string, quota: number | null) => Effect.Effect<number | undefined, StoreUnavailable>
  /** Adds spend atomically, only if it stays within the cap (null = no cap). `false` when it would not. */
  readonly reserveSpend: (keyId: string, period: string, amountMicroUsd: number, capMicroUsd: number | null) => Effect.Effect<boolean, StoreUnavailable>
  /** Gives back a reservation of a call that did not happen (or cost nothing). */
  readonly release: (keyId: string, period: string, ops: number, amountMicroUsd: number) => Effect.Effect<void, StoreUnavailable>
  readonly get: (keyId: string, period: string) => Effect.Effect<PeriodTotals, StoreUnavailable>
}
