// Wallet rotation: wallets older than a cutoff stop paying for their keys.
// Each gets a new wallet, funded first; its keys move to it in one
// transaction, and the old wallet is retired (then swept, pool/sweep.ts).
//
// Storage data stays reachable: storage agents key data by the paying wallet,
// so a key that holds data on the old wallet keeps paying its storage calls
// from it (api_keys.storage_wallet_id, recorded on the key's first storage
// call, or here for data older than that record). Such a wallet is retired
// for every other call but stays in the refill report and is never swept
// while any key's data is on it. Nothing is copied: an agent's data cannot be
// listed and rewritten in general (a question-answering agent has no export),
// and copying would pay for every item twice.
import { Clock, Effect } from "effect"
import { AppConfig } from "../../platform/config/service"
import { Store } from "../../store/store"
import type { WalletEnvironment, WalletRow } from "../../store/wallets/repo"
import { BuiltInSandbox } from "../network/built-in-sandbox"
import { Networks } from "../network/service"
import { stillHolding, withJobLock } from "../../platform/jobs/lock"
import { DAY_MS } from "../../platform/period"
import { checkBalances } from "./balances"
import { RotationInProgress } from "./errors"
import { generateWallets } from "./service"

/** Wallets of `environment` created before `cutoff` and not yet retired, oldest first. Pure. */
const rotationCandidates = (wallets: ReadonlyArray<WalletRow>, cutoff: number, environment: WalletEnvironment): ReadonlyArray<WalletRow> =>
  wallets.filter((w) => w.environment === environment && w.status !== "retired" && w.createdAt < cutoff).toSorted((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1))

/** "90d", "12h", "30m": a duration in ms; undefined when not of that form. Pure. */
export const parseAge = (text: string): number | undefined => {
  const m = /^(\d{1,5})(d|h|m)$/.exec(text.trim())
  if (!m) return undefined
  const n = Number(m[1])
  return n * (m[2] === "d" ? DAY_MS : m[2] === "h" ? 3_600_000 : 60_000)
}

export type RotationLine = {
  readonly wallet_id: string
  readonly public_key: string
  readonly created_at: string
  /** Keys paying from the wallet now. */
  readonly keys: number
  /** After a run: the wallet that replaced it, and what happened. */
  readonly replaced_by?: string
  readonly replaced_by_public_key?: string
  readonly outcome: "planned" | "retired" | "not_funded" | "already_retired"
  readonly moved_keys?: number
  /** Keys whose storage data stays on the retired wallet (their storage calls keep paying from it). */
  readonly storage_keys?: number
}

export type WalletRotationReport = {
  readonly environment: WalletEnvironment
  readonly cutoff: string
  readonly dry_run: boolean
  readonly wallets: ReadonlyArray<RotationLine>
  readonly retired: number
  readonly moved_keys: number
  readonly storage_keys: number
}

/**
 * Funding from the built-in sandbox's faucet, to the refill targets (within
 * the faucet's ceilings): how new wallets are funded wherever the wallets'
 * network is the sandbox (test wallets always; live ones on TETTO_NETWORK=sandbox).
 */
export const faucetFunding: Funding<never, AppConfig | BuiltInSandbox> = (wallets, onFunded) =>
  Effect.gen(function* () {
    const config = yield* AppConfig
    const sandbox = yield* BuiltInSandbox
    const usdc = Math.min(config.poolRefillTargetUsdc, sandbox.faucetCeiling.usdc)
    const lamports = Math.min(config.poolRefillTargetLamports, sandbox.faucetCeiling.lamports)
    yield* Effect.forEach(wallets, (w) => Effect.tap(sandbox.fund(w.publicKey, { usdc, lamports }), () => Effect.sync(() => onFunded(w.id))), { discard: true })
  })

/** Whether `environment`'s wallets pay on the sandbox, whose faucet can fund them. */
export const fundedByFaucet = (network: string, environment: WalletEnvironment): boolean => environment === "test" || network === "sandbox"

/** Funds new wallets (from the faucet on the sandbox, from a treasury key on a real network); failures leave a wallet unfunded, which the run then skips. */
export type Funding<E, R> = (wallets: ReadonlyArray<WalletRow>, onFunded: (walletId: string) => void) => Effect.Effect<void, E, R>

const lineOf = (w: WalletRow): RotationLine => ({ wallet_id: w.id, public_key: w.publicKey, created_at: new Date(w.createdAt).toISOString(), keys: w.assignedKeyCount, outcome: "planned" })

const summary = (environment: WalletEnvironment, cutoff: number, dryRun: boolean, lines: ReadonlyArray<RotationLine>): WalletRotationReport => ({
  environment,
  cutoff: new Date(cutoff).toISOString(),
  dry_run: dryRun,
  wallets: lines,
  retired: lines.filter((l) => l.outcome === "retired").length,
  moved_keys: lines.reduce((n, l) => n + (l.moved_keys ?? 0), 0),
  storage_keys: lines.reduce((n, l) => n + (l.storage_keys ?? 0), 0),
})

/**
 * Rotates the wallets of `environment` older than `olderThanMs`. A new wallet
 * only takes keys once a balance read shows it can pay: one the funding did
 * not reach stays in the pool, empty, and its old wallet keeps paying (the
 * line says `not_funded`); a rerun rotates that old wallet again. The run
 * itself is safe to rerun: a wallet retired already is left alone.
 */
export type RotationOptions<E, R> = {
  readonly olderThanMs: number
  readonly environment: WalletEnvironment
  readonly dryRun: boolean
  readonly fund: Funding<E, R>
  readonly onProgress?: (done: number, total: number) => void
}

/**
 * The lock rotation and refill share, across instances and the CLI: two
 * rotations would each fund a full set of new wallets, and a refill planned
 * while a rotation funds its new wallets would fund them again.
 */
export const POOL_FUNDING_JOB = "pool-funding"

export const rotateWallets = <E, R>(options: RotationOptions<E, R>) =>
  Effect.flatMap(withJobLock(POOL_FUNDING_JOB, rotateUnlocked(options)), (run) => (run.ran ? Effect.succeed(run.value) : Effect.fail(new RotationInProgress())))

const rotateUnlocked = Effect.fn("Pool.rotateWallets")(function* <E, R>(options: RotationOptions<E, R>) {
  const store = yield* Store
  const networks = yield* Networks
  const now = yield* Clock.currentTimeMillis
  const cutoff = now - options.olderThanMs
  const old = rotationCandidates(yield* store.wallets.list(), cutoff, options.environment)
  if (options.dryRun || old.length === 0) return summary(options.environment, cutoff, options.dryRun, old.map(lineOf))

  const total = old.length * 2
  let done = 0
  const step = () => options.onProgress?.(++done, total)
  // Inserted depleted: no key is assigned to a new wallet before a balance read shows it funded.
  const fresh = new Set(yield* generateWallets(old.length, { environment: options.environment, status: "depleted" }))
  const created = (yield* store.wallets.list()).filter((w) => fresh.has(w.id)).toSorted((a, b) => (a.id < b.id ? -1 : 1))
  // Read whatever the funding did, also when it failed part way: an empty new wallet must read depleted, never take keys.
  // One wallet at a time, each only while this run still holds the lock.
  yield* Effect.forEach(created, (w) => Effect.andThen(stillHolding(POOL_FUNDING_JOB), options.fund([w], step)), { discard: true }).pipe(
    Effect.ensuring(Effect.ignore(checkBalances({ only: fresh }))),
  )
  const funded = (yield* store.wallets.list()).filter((w) => fresh.has(w.id))
  const storageAgents = [...networks[options.environment].directory.namespaced]

  const lines: Array<RotationLine> = []
  for (const [i, w] of old.entries()) {
    const next = funded.find((n) => n.id === created[i]!.id)!
    if (next.status === "depleted") {
      lines.push({ ...lineOf(w), replaced_by: next.id, replaced_by_public_key: next.publicKey, outcome: "not_funded" })
      yield* Effect.logWarning("wallet not rotated: its replacement could not pay after funding", { wallet_id: w.id, replacement_id: next.id })
    } else {
      const at = yield* Clock.currentTimeMillis
      const r = yield* store.wallets.retire(w.id, next.id, at, storageAgents)
      lines.push(
        r.kind === "retired"
          ? { ...lineOf(w), replaced_by: next.id, replaced_by_public_key: next.publicKey, outcome: "retired", moved_keys: r.movedKeys, storage_keys: r.storageKeys }
          : { ...lineOf(w), outcome: "already_retired" },
      )
      if (r.kind === "retired") yield* Effect.logInfo("wallet retired by rotation", { wallet_id: w.id, replacement_id: next.id, moved_keys: r.movedKeys, storage_keys: r.storageKeys })
    }
    step()
  }
  return summary(options.environment, cutoff, false, lines)
})
