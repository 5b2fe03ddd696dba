// The conditions the operator is alerted to, as pure rules over what the
// evaluator read. Each returns the subjects firing now; the alert store
// turns changes into one start and one clear each.
import { formatUsd } from "../gateway/money"

export const ALERT_KINDS = ["wallet_low", "pool_total_low", "usage_unknown", "outbox_stale", "stripe_refusing", "money_off"] as const
export type AlertKind = (typeof ALERT_KINDS)[number]

export type Firing = { readonly subject: string; readonly detail: string }

/** How long a row may stay unknown, and a billable row unreported, before the operator hears of it. */
export const UNKNOWN_AFTER_MS = 10 * 60_000
export const OUTBOX_AFTER_MS = 15 * 60_000

type Wallet = { readonly publicKey: string; readonly status: string; readonly environment: string; readonly usdcBalance: number; readonly lamports: number }

const sol = (lamports: number) => (lamports / 1e9).toFixed(4)
const minutes = (ms: number) => Math.floor(ms / 60_000)

/**
 * Live wallets that are low or depleted (the test pool holds sandbox money
 * and refills itself), by `statusOf`: their status, unless the evaluator
 * judges one otherwise (a retired wallet still paying keys' storage calls is
 * judged by its balance, as its status stays "retired").
 */
export const lowWallets = <W extends Wallet>(wallets: ReadonlyArray<W>, statusOf: (w: W) => string = (w) => w.status): ReadonlyArray<Firing> =>
  wallets
    .filter((w) => w.environment === "live")
    .map((w) => ({ w, status: statusOf(w) }))
    .filter(({ status }) => status === "low_balance" || status === "depleted")
    .map(({ w, status }) => ({
      subject: w.publicKey,
      detail: `Pool wallet ${w.publicKey}${w.status === "retired" ? " (retired, still paying storage calls)" : ""} is ${status === "depleted" ? "depleted (it no longer pays)" : "low"}: $${formatUsd(w.usdcBalance)} USDC, ${sol(w.lamports)} SOL.`,
    }))

/** The live pool's USDC below POOL_ALERT_TOTAL_USDC (no floor: never). */
export const poolBelowFloor = (wallets: ReadonlyArray<Wallet>, floorMicroUsd: number | undefined): ReadonlyArray<Firing> => {
  if (floorMicroUsd === undefined) return []
  const total = wallets.filter((w) => w.environment === "live" && w.status !== "retired").reduce((n, w) => n + w.usdcBalance, 0)
  return total < floorMicroUsd ? [{ subject: "live", detail: `The pool holds $${formatUsd(total)} USDC, below the floor of $${formatUsd(floorMicroUsd)}.` }] : []
}

export const unknownTooLong = (unknown: number, oldestAt: number | null, now: number): ReadonlyArray<Firing> =>
  oldestAt !== null && now - oldestAt > UNKNOWN_AFTER_MS
    ? [{ subject: "usage", detail: `${unknown} usage row${unknown === 1 ? " is" : "s are"} unknown (paid or not not yet known); the oldest for ${minutes(now - oldestAt)} minutes. The reconciler decides them from the chain.` }]
    : []

export const outboxTooOld = (pending: number, oldestAt: number | null, now: number): ReadonlyArray<Firing> =>
  oldestAt !== null && now - oldestAt > OUTBOX_AFTER_MS
    ? [{ subject: "stripe", detail: `${pending} billable usage row${pending === 1 ? " waits" : "s wait"} for Stripe; the oldest for ${minutes(now - oldestAt)} minutes.` }]
    : []

/** Failed requests since the last evaluation, at least, before Stripe counts as refusing: one lost request is not an outage. */
export const STRIPE_FAILURES_TO_FIRE = 3

/** Stripe failed every request since the last evaluation, and at least STRIPE_FAILURES_TO_FIRE of them. */
export const stripeRefusing = (since: { readonly ok: number; readonly failed: number }): ReadonlyArray<Firing> =>
  since.failed >= STRIPE_FAILURES_TO_FIRE && since.ok === 0 ? [{ subject: "stripe", detail: `Stripe refused or failed all ${since.failed} request${since.failed === 1 ? "" : "s"} since the last check.` }] : []
