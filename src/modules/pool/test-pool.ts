// The test keys' pool holds sandbox money only, so it never waits for an
// operator: every wallet below the refill targets is topped up from the
// sandbox faucet and its new balances recorded. Run every minute, a drained
// test pool (anyone's test key may spend it) is back within the minute.
import { Cause, Clock, Effect } from "effect"
import { AppConfig } from "../../platform/config/service"
import { withJobLock } from "../../platform/jobs/lock"
import { Store } from "../../store/store"
import type { WalletRow } from "../../store/wallets/repo"
import { BuiltInSandbox } from "../network/built-in-sandbox"
import { Networks } from "../network/service"
import { statusFor, thresholdsOf } from "./balances"

export type TopUpReport = { readonly wallets: number; readonly funded: number; readonly failed: number }

export const TEST_POOL_JOB = "test-pool-top-up"
/** Every minute, UTC. */
export const TEST_POOL_CRON = "* * * * *"

export const topUpTestPool = Effect.fn("Pool.topUpTestPool")(function* () {
  const config = yield* AppConfig
  const store = yield* Store
  const chain = (yield* Networks).test
  const sandbox = yield* BuiltInSandbox
  const thresholds = thresholdsOf(config)
  const wallets = (yield* store.wallets.list()).filter((w) => w.environment === "test" && w.status !== "retired")
  let funded = 0
  let failed = 0
  const topUp = (w: WalletRow) =>
    Effect.gen(function* () {
      const [lamports, usdc] = yield* Effect.all([chain.chain.getSolBalance(w.publicKey), chain.chain.getUsdcBalance(w.publicKey, chain.usdcMint)])
      const owedUsdc = Math.max(config.poolRefillTargetUsdc - usdc, 0)
      const owedLamports = Math.max(config.poolRefillTargetLamports - lamports, 0)
      // Only below the low thresholds: a wallet paying calls is not topped up after each one.
      const low = usdc < thresholds.lowUsdc || lamports < thresholds.lowLamports
      const gift = low ? { usdc: Math.min(owedUsdc, sandbox.faucetCeiling.usdc), lamports: Math.min(owedLamports, sandbox.faucetCeiling.lamports) } : { usdc: 0, lamports: 0 }
      if (gift.usdc > 0 || gift.lamports > 0) {
        yield* sandbox.fund(w.publicKey, gift)
        funded++
      }
      const now = yield* Clock.currentTimeMillis
      const balance = { usdc: usdc + gift.usdc, lamports: lamports + gift.lamports }
      yield* store.wallets.recordBalance(w.id, { usdcBalance: balance.usdc, lamports: balance.lamports, status: statusFor(balance, thresholds), checkedAt: now })
    }).pipe(
      Effect.catch((e) =>
        Effect.gen(function* () {
          failed++
          yield* Effect.logWarning("test pool wallet not topped up", { wallet_id: w.id, error: e._tag })
        }),
      ),
    )
  yield* Effect.forEach(wallets, topUp, { concurrency: 4, discard: true })
  if (funded > 0 || failed > 0) yield* Effect.logInfo("test pool topped up from the sandbox faucet", { wallets: wallets.length, funded, failed })
  return { wallets: wallets.length, funded, failed } satisfies TopUpReport
})

export const runTestPoolJob = withJobLock(TEST_POOL_JOB, topUpTestPool()).pipe(
  Effect.catchCause((cause) => Effect.as(Effect.logError("test pool top-up failed", { cause: Cause.pretty(cause) }), { ran: false as const })),
)
