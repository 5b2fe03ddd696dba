// First start on the sandbox network: an empty pool gets SANDBOX_POOL_SIZE
// wallets, each funded from the sandbox faucet up to the refill targets, then
// a balance check sets their statuses. A pool that has any wallet is left
// alone, so restarts do nothing; on Postgres the job lock keeps two instances
// starting together from both creating a pool.
import { Effect } from "effect"
import { AppConfig } from "../../platform/config/service"
import { withJobLock } from "../../platform/jobs/lock"
import { Store } from "../../store/store"
import { FAUCET_MAX_LAMPORTS, FAUCET_MAX_USDC, Sandbox } from "../sandbox/service"
import { checkBalances, type BalanceCheckReport } from "./balances"
import { generateWallets } from "./service"

export type BootstrapResult = { readonly created: number; readonly check: BalanceCheckReport | undefined }

const nothing: BootstrapResult = { created: 0, check: undefined }

/**
 * Creates and funds the sandbox pool when it is empty. The balance check reads
 * SOLANA_RPC_URL, which on the sandbox is this process's own server, so call
 * it once the server is listening.
 */
export const bootstrapSandboxPool = Effect.fn("Pool.bootstrapSandbox")(function* () {
  const config = yield* AppConfig
  if (config.network !== "sandbox" || config.sandboxPoolSize === 0) return nothing
  const run = yield* withJobLock(
    "sandbox-bootstrap",
    Effect.gen(function* () {
      const store = yield* Store
      if ((yield* store.wallets.page(1, undefined)).length > 0) return nothing
      const sandbox = yield* Sandbox
      const ids = new Set(yield* generateWallets(config.sandboxPoolSize))
      const wallets = (yield* store.wallets.list()).filter((w) => ids.has(w.id))
      const usdc = Math.min(config.poolRefillTargetUsdc, FAUCET_MAX_USDC)
      const sol = Math.min(config.poolRefillTargetLamports, FAUCET_MAX_LAMPORTS)
      if (usdc > 0 || sol > 0) {
        // The faucet refuses only malformed requests, which these are not.
        yield* Effect.forEach(wallets, (w) => Effect.orDie(sandbox.faucet({ wallet: w.publicKey, usdc, sol })), { discard: true })
      }
      yield* Effect.logInfo("sandbox pool created and funded", { wallets: wallets.length, usdc_each: usdc, lamports_each: sol })
      return { created: wallets.length, check: yield* checkBalances() } satisfies BootstrapResult
    }),
  )
  return run.ran ? run.value : nothing
})
