// First start: the sandbox's pools are created and funded from its faucet.
// Test keys always pay from a pool of sandbox wallets of their own, on every
// network; on the sandbox network the live pool is sandbox wallets too. A
// pool that has any wallet is left alone, so restarts do nothing; on Postgres
// the job lock keeps two instances starting together from both creating one.
import { Effect } from "effect"
import { AppConfig } from "../../platform/config/service"
import { withJobLock } from "../../platform/jobs/lock"
import { Store } from "../../store/store"
import type { WalletEnvironment } from "../../store/wallets/repo"
import { BuiltInSandbox } from "../network/built-in-sandbox"
import { checkBalances, type BalanceCheckReport } from "./balances"
import { generateWallets } from "./service"

export type BootstrapResult = { readonly created: number; readonly check: BalanceCheckReport | undefined }

const nothing: BootstrapResult = { created: 0, check: undefined }

/**
 * Creates and funds each sandbox pool that is empty: SANDBOX_POOL_SIZE
 * wallets. The balance check reads the live pool through SOLANA_RPC_URL,
 * which on the sandbox is this process's own server, so call it once the
 * server is listening.
 */
export const bootstrapSandboxPool = Effect.fn("Pool.bootstrapSandbox")(function* () {
  const config = yield* AppConfig
  if (config.sandboxPoolSize === 0) return nothing
  const pools: ReadonlyArray<WalletEnvironment> = config.network === "sandbox" ? ["live", "test"] : ["test"]
  const run = yield* withJobLock(
    "sandbox-bootstrap",
    Effect.gen(function* () {
      const store = yield* Store
      const existing = yield* store.wallets.list()
      const empty = pools.filter((environment) => !existing.some((w) => w.environment === environment))
      if (empty.length === 0) return nothing
      const sandbox = yield* BuiltInSandbox
      const usdc = Math.min(config.poolRefillTargetUsdc, sandbox.faucetCeiling.usdc)
      const sol = Math.min(config.poolRefillTargetLamports, sandbox.faucetCeiling.lamports)
      let created = 0
      for (const environment of empty) {
        const ids = new Set(yield* generateWallets(config.sandboxPoolSize, { environment }))
        const wallets = (yield* store.wallets.list()).filter((w) => ids.has(w.id))
        if (usdc > 0 || sol > 0) {
          yield* Effect.forEach(wallets, (w) => sandbox.fund(w.publicKey, { usdc, lamports: sol }), { discard: true })
        }
        created += wallets.length
        yield* Effect.logInfo("sandbox pool created and funded", { pool: environment, wallets: wallets.length, usdc_each: usdc, lamports_each: sol })
      }
      return { created, check: yield* checkBalances() } satisfies BootstrapResult
    }),
  )
  return run.ran ? run.value : nothing
})
