// The refill report over the live pool, with the configured targets. The
// test keys' pool holds sandbox money only and is never refilled by hand: on
// mainnet, real USDC sent to it would be lost to the sandbox.
import { Effect } from "effect"
import { AppConfig } from "../../platform/config/service"
import { Store } from "../../store/store"
import { refillReport } from "./refill"

export const currentRefillReport = Effect.fn("Pool.refillReport")(function* () {
  const config = yield* AppConfig
  const store = yield* Store
  const wallets = (yield* store.wallets.list()).filter((w) => w.environment === "live")
  const holders = yield* store.wallets.storageHolders(wallets.filter((w) => w.status === "retired").map((w) => w.id))
  return refillReport(wallets, { usdc: config.poolRefillTargetUsdc, lamports: config.poolRefillTargetLamports }, new Set(holders.keys()))
})
