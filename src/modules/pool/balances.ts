// Balance monitoring: read every pool wallet's SOL and USDC through the Chain
// service, store them, and move each wallet between active, low_balance and
// depleted. A failed read records why and changes nothing else, so an RPC
// outage never marks a funded pool depleted.
import { Clock, Effect } from "effect"
import type { Config } from "../../platform/config/config"
import { AppConfig } from "../../platform/config/service"
import { Store } from "../../store/store"
import type { WalletRow, WalletStatus } from "../../store/wallets/repo"
import type { ChainUnavailable } from "../chain/errors"
import { Networks } from "../network/service"


export type Thresholds = {
  /** micro-USD */
  readonly lowUsdc: number
  /** lamports */
  readonly lowLamports: number
  /** micro-USD: the price of one call */
  readonly minCallUsdc: number
  /** lamports: network fees */
  readonly minLamports: number
}

export const thresholdsOf = (config: Config): Thresholds => ({
  lowUsdc: config.poolLowBalanceUsdc,
  lowLamports: config.poolLowBalanceLamports,
  minCallUsdc: config.poolMinCallBase,
  minLamports: config.poolMinLamports,
})

/** The status a balance earns. Depleted wins: a wallet that cannot pay one call (or its fee) must not sign. */
export const statusFor = (balance: { readonly usdc: number; readonly lamports: number }, t: Thresholds): Exclude<WalletStatus, "retired"> => {
  if (balance.usdc < t.minCallUsdc || balance.lamports < t.minLamports) return "depleted"
  if (balance.usdc < t.lowUsdc || balance.lamports < t.lowLamports) return "low_balance"
  return "active"
}

/**
 * How a wallet stands to pay now. A retired wallet keeps that status whatever
 * its balance, yet one holding keys' storage data still pays their storage
 * calls: it is judged by its last read balance (never read, its balance is
 * unknown, and it stays as it is).
 */
export const payingStatus = (w: Pick<WalletRow, "status" | "usdcBalance" | "lamports" | "lastBalanceCheckAt">, t: Thresholds): WalletStatus =>
  w.status === "retired" && w.lastBalanceCheckAt !== null ? statusFor({ usdc: w.usdcBalance, lamports: w.lamports }, t) : w.status

export type StatusChange = { readonly wallet_id: string; readonly public_key: string; readonly from: WalletStatus; readonly to: WalletStatus }

export type BalanceCheckReport = {
  /** When the run started, ISO time. */
  readonly started_at: string
  readonly wallets: number
  /** Wallets whose balances were read and stored. */
  readonly read: number
  /** Wallets whose read failed (error recorded, status unchanged). */
  readonly failed: number
  readonly changes: ReadonlyArray<StatusChange>
  /** Wallets per status after the run. */
  readonly by_status: Readonly<Record<WalletStatus, number>>
}

// Reads in flight at once: enough to check thousands of wallets within the
// hour, few enough not to trip a public RPC's rate limit.
const CONCURRENCY = 8
// After this many failures in a row the RPC is taken to be down: the rest of
// the run records the outage instead of waiting out a timeout per wallet.
const GIVE_UP_AFTER = 5

const describeFailure = (now: number, e: ChainUnavailable) => `${new Date(now).toISOString()} ${e.operation}: ${e.reason}`.slice(0, 500)

/** Reads and stores every wallet's balances (retired ones too, without touching their status), or those of `only`; `onProgress` hears each wallet done. */
export const checkBalances = Effect.fn("Pool.checkBalances")(function* (options: { readonly onProgress?: (done: number, total: number) => void; readonly only?: ReadonlySet<string> } = {}) {
  const config = yield* AppConfig
  const store = yield* Store
  const networks = yield* Networks
  const thresholds = thresholdsOf(config)
  const startedAt = yield* Clock.currentTimeMillis
  const all = yield* store.wallets.list()
  const wallets = options.only ? all.filter((w) => options.only!.has(w.id)) : all

  // Per RPC: a live outage does not stop the sandbox pool's reads, nor the reverse.
  const rpc = { live: { failuresInARow: 0, lastFailure: "" }, test: { failuresInARow: 0, lastFailure: "" } }
  const checkOne = (w: WalletRow) =>
    Effect.gen(function* () {
      const now = yield* Clock.currentTimeMillis
      const health = rpc[w.environment]
      if (health.failuresInARow >= GIVE_UP_AFTER) {
        yield* store.wallets.recordBalanceError(w.id, `${new Date(now).toISOString()} not read: the RPC failed ${GIVE_UP_AFTER} times in a row (last: ${health.lastFailure})`.slice(0, 500))
        return { wallet: w, status: w.status, ok: false } as const
      }
      // A test wallet's balances are on the sandbox's ledger.
      const network = networks[w.environment]
      const read = yield* Effect.all([network.chain.getSolBalance(w.publicKey), network.chain.getUsdcBalance(w.publicKey, network.usdcMint)], { concurrency: 2 }).pipe(Effect.result)
      if (read._tag === "Failure") {
        health.failuresInARow++
        health.lastFailure = describeFailure(now, read.failure)
        yield* store.wallets.recordBalanceError(w.id, health.lastFailure)
        return { wallet: w, status: w.status, ok: false } as const
      }
      health.failuresInARow = 0
      const [lamports, usdc] = read.success
      const status = statusFor({ usdc, lamports }, thresholds)
      yield* store.wallets.recordBalance(w.id, { usdcBalance: usdc, lamports, status, checkedAt: now })
      return { wallet: w, status: w.status === "retired" ? w.status : status, ok: true } as const
    })

  let done = 0
  const results = yield* Effect.forEach(wallets, (w) => Effect.tap(checkOne(w), () => Effect.sync(() => options.onProgress?.(++done, wallets.length))), { concurrency: CONCURRENCY })
  const changes: Array<StatusChange> = []
  const byStatus: Record<WalletStatus, number> = { active: 0, low_balance: 0, depleted: 0, retired: 0 }
  for (const r of results) {
    byStatus[r.status]++
    if (r.status !== r.wallet.status) changes.push({ wallet_id: r.wallet.id, public_key: r.wallet.publicKey, from: r.wallet.status, to: r.status })
  }
  for (const c of changes) {
    const log = c.to === "depleted" ? Effect.logWarning : Effect.logInfo
    yield* log("pool wallet status changed", c)
  }
  const failed = results.filter((r) => !r.ok).length
  const report: BalanceCheckReport = { started_at: new Date(startedAt).toISOString(), wallets: wallets.length, read: wallets.length - failed, failed, changes, by_status: byStatus }
  const summary = { wallets: report.wallets, read: report.read, failed, ...byStatus }
  if (failed > 0) yield* Effect.logWarning("pool balance check could not read every wallet", { ...summary, last_error: rpc.live.lastFailure || rpc.test.lastFailure })
  else yield* Effect.logInfo("pool balances checked", summary)
  return report
})
