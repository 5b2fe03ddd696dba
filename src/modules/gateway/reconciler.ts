// Resolves calls a crash or a lost answer left open, from evidence of each
// call's own payment. A call's signature is claimed under a unique index
// before submit, and a signature commits to the exact message the signing
// policy approved (its transfers included), so a signature that succeeded on
// chain is that call's payment and no other's.
//   reserved (a call counted before its payment, as older releases wrote
//   them), older than staleAfter → released (never signed nor sent)
//   pending/unknown, signature confirmed on chain → settled and charged
//   signature failed on chain, or absent past giveUpAfter → released
// A release gives back the row's op and spend in the same transaction, so
// after a pass the period counters equal the rows.
import { Clock, Effect } from "effect"
import { AppConfig } from "../../platform/config/service"
import { Store } from "../../store/store"
import type { UsageRow } from "../../store/usage/repo"
import { Networks } from "../network/service"

export type ReconcileOptions = {
  /** An open row older than this, with no answer, is treated as interrupted, ms. */
  readonly staleAfterMs: number
  /** A payment not on chain this long after the call is taken as never sent, ms. */
  readonly giveUpAfterMs: number
  readonly batch: number
}

export type ReconcileReport = { readonly settled: number; readonly failed: number; readonly unresolved: number }

const BATCH = 100

type Verdict = "settle" | "release_abandoned" | "release_failed" | "release_absent" | "wait"

const verdictOf = Effect.fn("Gateway.reconcileVerdict")(function* (row: UsageRow, now: number, options: ReconcileOptions) {
  const networks = yield* Networks
  if (row.state === "reserved") return "release_abandoned" as Verdict
  // A test row's payment is on the sandbox's ledger, a live row's on TETTO_NETWORK.
  const chain = networks[row.environment === "test" ? "test" : "live"].chain
  const state = row.txSignature ? yield* chain.getSignatureStatus(row.txSignature) : ("not_found" as const)
  // "processed" may still be dropped with its fork: wait for confirmation.
  if (state === "confirmed" || state === "finalized") return "settle" as Verdict
  if (state === "processed") return "wait" as Verdict
  if (state === "failed") return "release_failed" as Verdict
  return (now - row.createdAt > options.giveUpAfterMs ? "release_absent" : "wait") as Verdict
})

const reasons = {
  release_abandoned: "abandoned before payment (the call was interrupted)",
  release_failed: "payment failed on chain",
  release_absent: "payment never reached the chain",
} as const

export const reconcileUnknownCalls = Effect.fn("Gateway.reconcile")(function* (overrides: Partial<ReconcileOptions> = {}) {
  const config = yield* AppConfig
  const options: ReconcileOptions = { staleAfterMs: config.reconcileStaleAfterMs, giveUpAfterMs: config.reconcileGiveUpAfterMs, batch: BATCH, ...overrides }
  const store = yield* Store
  const now = yield* Clock.currentTimeMillis
  let settled = 0
  let failed = 0
  let seen = 0
  // One pass covers every open row, in id order, a batch at a time.
  for (let after: string | undefined = undefined; ; ) {
    const rows: ReadonlyArray<UsageRow> = yield* store.usage.unresolved(now - options.staleAfterMs, options.batch, after)
    if (rows.length === 0) break
    after = rows.at(-1)!.id
    seen += rows.length
    for (const row of rows) {
      const verdict = yield* verdictOf(row, now, options)
      if (verdict === "settle") {
        // Billed as decided when the call was reserved, whatever the key's tier is now.
        if (yield* store.usage.settle(row.id, { txSignature: row.txSignature!, receiptId: row.receiptId, settledAt: now })) settled++
      } else if (verdict !== "wait") {
        if (yield* store.usage.release(row.id, reasons[verdict])) failed++
      }
    }
    if (rows.length < options.batch) break
  }
  const report = { settled, failed, unresolved: seen - settled - failed } satisfies ReconcileReport
  if (seen > 0) yield* Effect.logInfo("reconciled open calls", report)
  return report
})
