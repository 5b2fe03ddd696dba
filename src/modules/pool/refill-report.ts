// The refill report over the whole pool, with the configured targets.
import { Effect } from "effect"
import { AppConfig } from "../../platform/config/service"
import { Store } from "../../store/store"
import { refillReport } from "./refill"

export const currentRefillReport = Effect.fn("Pool.refillReport")(function* () {
  const config = yield* AppConfig
  const store = yield* Store
  const wallets = yield* store.wallets.list()
  return refillReport(wallets, { usdc: config.poolRefillTargetUsdc, lamports: config.poolRefillTargetLamports })
})
