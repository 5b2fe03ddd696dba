// Quota and spend cap, reserved atomically against the key's usage_periods
// row before any payment, and given back if the call ends up costing nothing.
import { Effect } from "effect"
import { Store } from "../../../store/store"
import type { KeyIdentity } from "../../keys/identity"
import { QuotaExhausted, SpendCapReached } from "../errors"

export const reserveQuota = Effect.fn("Gateway.reserveQuota")(function* (identity: KeyIdentity, period: string) {
  const store = yield* Store
  const quota = identity.limits.monthlyQuota
  const ops = yield* store.periods.reserveOp(identity.keyId, period, quota)
  if (ops === undefined) return yield* new QuotaExhausted({ limit: quota ?? 0, used: quota ?? 0, period })
  return ops
})

export const reserveSpend = Effect.fn("Gateway.reserveSpend")(function* (identity: KeyIdentity, period: string, priceMicroUsd: number) {
  const store = yield* Store
  const cap = identity.limits.monthlySpendCapMicroUsd
  const ok = yield* store.periods.reserveSpend(identity.keyId, period, priceMicroUsd, cap)
  if (!ok) {
    const spent = (yield* store.periods.get(identity.keyId, period)).spendMicroUsd
    return yield* new SpendCapReached({ capMicroUsd: cap ?? 0, spentMicroUsd: spent, priceMicroUsd })
  }
})

export const releaseReservation = (identity: KeyIdentity, period: string, spendMicroUsd: number) =>
  Effect.flatMap(Store, (store) => store.periods.release(identity.keyId, period, 1, spendMicroUsd)).pipe(
    // Losing a release only over-counts the key's own month; never fail the response for it.
    Effect.catchTag("StoreUnavailable", (e) => Effect.logError("quota release failed", { key_id: identity.keyId, period, error: String(e.cause) })),
  )
