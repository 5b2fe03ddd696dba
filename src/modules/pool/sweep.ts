// The sweep: a retired live wallet's remaining USDC and SOL go to
// POOL_TREASURY_ADDRESS in one transaction it signs itself: all its USDC by a
// checked transfer into the treasury's USDC account, that emptied account
// closed with its rent to the treasury, and its lamports less the network fee
// to the treasury, which leaves the wallet at zero. The signing policy's
// treasury rule (sweep-policy.ts) must approve the exact bytes signed.
//
// Safe to rerun: every amount is read from the chain just before the
// transaction is built, so a second run finds nothing left and sends nothing
// (a wallet read empty is marked swept, with zero balances, and skipped after
// that until a balance check sees funds arrive on it). A wallet
// still holding a key's storage data (pool/rotation.ts) is never swept.
import { PublicKey, SystemProgram, Transaction } from "@solana/web3.js"
import { Clock, Duration, Effect } from "effect"
import { AppConfig } from "../../platform/config/service"
import { stillHolding, withJobLock, type JobLease } from "../../platform/jobs/lock"
import { associatedTokenAddress } from "../../platform/solana/spl-ids"
import { closeAccountInstruction, transferCheckedInstruction } from "../../platform/solana/spl-instructions"
import { Store } from "../../store/store"
import type { WalletRow } from "../../store/wallets/repo"
import { USDC_DECIMALS } from "../marketplace/protocol"
import { Networks, type NetworkShape } from "../network/service"
import { SweepInProgress, TreasuryNotConfigured } from "./errors"
import { LAMPORTS_PER_SIGNATURE } from "./signing-policy"
import { signOwnMessage } from "./sign-own"
import type { Signer } from "./signer"
import { checkSweep } from "./sweep-policy"

/**
 * How long after its retirement a wallet is left alone: instances keep a
 * short-lived list of paying wallets, so a call may still pay from a wallet
 * retired moments ago, and a sweep racing it would fail that call.
 */
const SWEEP_GRACE_MS = 10 * 60_000
// How long a sent sweep is given to confirm before the run reports it as unknown (the next run reads the chain again).
const CONFIRM_WITHIN_MS = 60_000

export type SweepBalances = { readonly lamports: number; readonly usdc: number; readonly hasTokenAccount: boolean }

/** What one sweep moves; undefined when the fee cannot be paid or there is nothing to move. Pure. */
export const sweepAmounts = (b: SweepBalances): SweepAmounts | "empty" | "needs_fee" => {
  if (b.usdc === 0 && !b.hasTokenAccount && b.lamports === 0) return "empty"
  const fee = Number(LAMPORTS_PER_SIGNATURE)
  if (b.lamports < fee) return "needs_fee"
  return { usdc: b.usdc, lamports: b.lamports - fee, close: b.hasTokenAccount }
}

/** The wallet's sweep, unsigned: USDC transfer, close, lamports transfer (each only when it moves something). */
export const sweepTransaction = (wallet: string, treasury: string, mint: string, amounts: SweepAmounts, blockhash: string): Transaction => {
  const from = new PublicKey(wallet)
  const to = new PublicKey(treasury)
  const usdcMint = new PublicKey(mint)
  const tx = new Transaction({ feePayer: from, recentBlockhash: blockhash })
  const walletAta = associatedTokenAddress(usdcMint, from)
  if (amounts.usdc > 0) tx.add(transferCheckedInstruction(walletAta, usdcMint, associatedTokenAddress(usdcMint, to), from, amounts.usdc, USDC_DECIMALS))
  if (amounts.close) tx.add(closeAccountInstruction(walletAta, to, from))
  if (amounts.lamports > 0) tx.add(SystemProgram.transfer({ fromPubkey: from, toPubkey: to, lamports: amounts.lamports }))
  return tx
}

type SweepAmounts = { readonly usdc: number; readonly lamports: number; readonly close: boolean }

/** Why an approved sweep's transaction does not move exactly `amounts`; undefined when it does. Pure. */
export const sweepDiffers = (verdict: { readonly usdc: bigint; readonly lamports: bigint; readonly closesTokenAccount: boolean }, amounts: SweepAmounts): string | undefined => {
  if (verdict.usdc !== BigInt(amounts.usdc)) return `the transaction moves ${verdict.usdc} micro-USD, not the ${amounts.usdc} read`
  if (verdict.lamports !== BigInt(amounts.lamports)) return `the transaction moves ${verdict.lamports} lamports, not the ${amounts.lamports} read`
  if (verdict.closesTokenAccount !== amounts.close) return amounts.close ? "the transaction leaves the USDC account open" : "the transaction closes a USDC account the wallet does not have"
  return undefined
}

/** What a sweep did with one retired wallet. */
export const SWEEP_OUTCOMES = ["planned", "swept", "empty", "already_swept", "held_for_storage", "cooling_down", "needs_fee", "unconfirmed", "failed"] as const
export type SweepOutcome = (typeof SWEEP_OUTCOMES)[number]

export type SweepLine = {
  readonly wallet_id: string
  readonly public_key: string
  readonly outcome: SweepOutcome
  /** micro-USD and lamports moved (or, on a dry run, to move). */
  readonly usdc: number
  readonly lamports: number
  readonly signature?: string
  readonly error?: string
}

export type SweepReport = {
  readonly treasury: string
  readonly dry_run: boolean
  readonly wallets: ReadonlyArray<SweepLine>
  readonly swept: number
  readonly total_usdc: number
  readonly total_lamports: number
  readonly failed: number
}

const line = (w: WalletRow, outcome: SweepLine["outcome"], extra: Partial<SweepLine> = {}): SweepLine => ({ wallet_id: w.id, public_key: w.publicKey, outcome, usdc: 0, lamports: 0, ...extra })

const confirmed = (network: NetworkShape, signature: string) =>
  Effect.gen(function* () {
    const start = yield* Clock.currentTimeMillis
    for (;;) {
      const state = yield* network.chain.getSignatureStatus(signature)
      if (state === "confirmed" || state === "finalized" || state === "failed") return state
      if ((yield* Clock.currentTimeMillis) - start > CONFIRM_WITHIN_MS) return "unknown" as const
      yield* Effect.sleep(Duration.millis(500))
    }
  })

export type SweepOptions = {
  readonly dryRun: boolean
  /** Wallets retired less than this long ago are left for a later run (default SWEEP_GRACE_MS). */
  readonly graceMs?: number
  readonly onProgress?: (done: number, total: number) => void
}

const SWEEP_JOB = "pool-sweep"

/** Sweeps every retired live wallet not holding storage data; one run at a time across instances and the CLI (else SweepInProgress). */
export const sweepRetired = Effect.fn("Pool.sweepRetired")(function* (options: SweepOptions) {
  const config = yield* AppConfig
  const treasury = config.poolTreasuryAddress
  if (!treasury) return yield* new TreasuryNotConfigured()
  const run = yield* withJobLock(SWEEP_JOB, sweepAll(treasury, options))
  return run.ran ? run.value : yield* new SweepInProgress()
})

const sweepAll = (treasury: string, options: SweepOptions) =>
  Effect.gen(function* () {
    const store = yield* Store
    const network = (yield* Networks).live
    const retired = (yield* store.wallets.list()).filter((w) => w.environment === "live" && w.status === "retired")
    const holders = yield* store.wallets.storageHolders(retired.map((w) => w.id))
    const treasuryAccount = yield* network.chain.getTokenAccount(treasury, network.usdcMint)

    const sweepOne = (w: WalletRow): Effect.Effect<SweepLine, never, Signer | JobLease> =>
      Effect.gen(function* () {
        // Swept, and no balance read since has seen funds arrive: nothing to do (a refill sent late is swept again).
        if (w.sweptAt !== null && w.usdcBalance === 0 && w.lamports === 0) return line(w, "already_swept")
        if (holders.has(w.id)) return line(w, "held_for_storage")
        const graceMs = options.graceMs ?? SWEEP_GRACE_MS
        if (w.retiredAt !== null && (yield* Clock.currentTimeMillis) - w.retiredAt < graceMs)
          return line(w, "cooling_down", { error: `retired less than ${Math.round(graceMs / 60_000)} minutes ago: calls may still be paying from it; sweep it later` })
        const [lamports, account] = yield* Effect.all([network.chain.getSolBalance(w.publicKey), network.chain.getTokenAccount(w.publicKey, network.usdcMint)])
        const amounts = sweepAmounts({ lamports, usdc: account?.amount ?? 0, hasTokenAccount: account !== undefined })
        const now = yield* Clock.currentTimeMillis
        if (amounts === "empty") {
          if (!options.dryRun) {
            yield* store.wallets.recordBalance(w.id, { usdcBalance: 0, lamports: 0, status: "depleted", checkedAt: now })
            yield* store.wallets.recordSweep(w.id, { sweptAt: now })
          }
          return line(w, "empty")
        }
        if (amounts === "needs_fee") return line(w, "needs_fee", { error: `holds ${account?.amount ?? 0} micro-USD but ${lamports} lamports, less than the network fee: send it ${LAMPORTS_PER_SIGNATURE} lamports, then sweep again` })
        const moved = { usdc: amounts.usdc, lamports: amounts.lamports }
        if (amounts.usdc > 0 && !treasuryAccount) return line(w, "failed", { ...moved, error: "the treasury has no USDC account for this mint: create it, then sweep again" })
        if (options.dryRun) return line(w, "planned", moved)

        const { blockhash } = yield* network.chain.getLatestBlockhash()
        const unsigned = sweepTransaction(w.publicKey, treasury, network.usdcMint, amounts, blockhash).serialize({ requireAllSignatures: false, verifySignatures: false })
        const verdict = checkSweep({ tx: new Uint8Array(unsigned), payer: w.publicKey, treasury, mint: network.usdcMint, decimals: USDC_DECIMALS })
        if (!verdict.ok) {
          yield* Effect.logError("signing policy refused a sweep; nothing was signed", { wallet_id: w.id, policy_code: verdict.code, reason: verdict.reason })
          return line(w, "failed", { ...moved, error: `signing policy: ${verdict.reason}` })
        }
        // What the approved bytes move must be what was read to move, to the unit.
        const differs = sweepDiffers(verdict, amounts)
        if (differs) {
          yield* Effect.logError("a sweep's transaction moves other amounts than were read; nothing was signed", { wallet_id: w.id, reason: differs })
          return line(w, "failed", { ...moved, error: `signing policy: ${differs}` })
        }
        const { wire } = yield* signOwnMessage(w, verdict.tx)
        // Only while this run still holds the lock: a run that lost it (paused past its lease) sends nothing more.
        yield* stillHolding(SWEEP_JOB)
        const sent = yield* network.chain.sendTransaction(wire)
        yield* store.wallets.recordSweep(w.id, { signature: sent })
        const state = yield* confirmed(network, sent)
        if (state === "failed") return line(w, "failed", { ...moved, signature: sent, error: "the transaction failed on chain" })
        if (state === "unknown") return line(w, "unconfirmed", { ...moved, signature: sent, error: "sent, not confirmed yet: run the sweep again once it lands (it reads the balances again)" })
        const after = yield* Effect.all([network.chain.getSolBalance(w.publicKey), network.chain.getTokenAccount(w.publicKey, network.usdcMint)])
        const at = yield* Clock.currentTimeMillis
        // The balances as read now (its status stays retired whatever they are).
        yield* store.wallets.recordBalance(w.id, { usdcBalance: after[1]?.amount ?? 0, lamports: after[0], status: "depleted", checkedAt: at })
        if (after[0] === 0 && after[1] === undefined) yield* store.wallets.recordSweep(w.id, { sweptAt: at })
        yield* Effect.logInfo("retired wallet swept to the treasury", { wallet_id: w.id, signature: sent, usdc: moved.usdc, lamports: moved.lamports })
        return line(w, "swept", { ...moved, signature: sent })
      }).pipe(
        Effect.catch((e) =>
          Effect.succeed(line(w, "failed", { error: e._tag === "JobLeaseLost" ? "not sent: this run lost its lock to another sweep" : "reason" in e ? String(e.reason) : e._tag })),
        ),
      )

    let done = 0
    const lines = yield* Effect.forEach(retired, (w) => Effect.tap(sweepOne(w), () => Effect.sync(() => options.onProgress?.(++done, retired.length))), { concurrency: 4 })
    const swept = lines.filter((l) => l.outcome === "swept")
    return {
      treasury,
      dry_run: options.dryRun,
      wallets: lines,
      swept: swept.length,
      total_usdc: (options.dryRun ? lines.filter((l) => l.outcome === "planned") : swept).reduce((n, l) => n + l.usdc, 0),
      total_lamports: (options.dryRun ? lines.filter((l) => l.outcome === "planned") : swept).reduce((n, l) => n + l.lamports, 0),
      failed: lines.filter((l) => l.outcome === "failed" || l.outcome === "unconfirmed").length,
    } satisfies SweepReport
  })
