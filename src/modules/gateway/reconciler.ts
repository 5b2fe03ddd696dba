// Resolves calls whose outcome is unknown (a submit that timed out, or a crash
// mid-call) from the chain: the payment's signature is recorded before submit.
// Found on chain → settled and charged; failed, or absent long after the
// payment intent expired → failed and the reservation given back.
import { Clock, Effect } from "effect"
import { periodOf } from "../../platform/period"
import { Store } from "../../store/store"
import type { UsageRow } from "../../store/usage/repo"
import { Chain } from "../chain/service"

export type ReconcileOptions = {
  /** A pending row older than this is treated as interrupted, ms. */
  readonly staleAfterMs: number
  /** A payment not on chain this long after the call is taken as never sent, ms. */
  readonly giveUpAfterMs: number
  readonly batch: number
}

export const defaultReconcileOptions: ReconcileOptions = { staleAfterMs: 5 * 60_000, giveUpAfterMs: 15 * 60_000, batch: 100 }

export type ReconcileReport = { readonly settled: number; readonly failed: number; readonly unresolved: number }

const release = (row: UsageRow) =>
  Effect.flatMap(Store, (store) => store.periods.release(row.keyId, periodOf(row.createdAt), 1, row.developerPriceMicroUsd))

export const reconcileUnknownCalls = Effect.fn("Gateway.reconcile")(function* (options: ReconcileOptions = defaultReconcileOptions) {
  const store = yield* Store
  const chain = yield* Chain
  const now = yield* Clock.currentTimeMillis
  const rows = yield* store.usage.unresolved(now - options.staleAfterMs, options.batch)
  let settled = 0
  let failed = 0
  for (const row of rows) {
    const state = row.txSignature ? yield* chain.getSignatureStatus(row.txSignature) : ("not_found" as const)
    if (state === "processed" || state === "confirmed" || state === "finalized") {
      const key = yield* store.keys.findById(row.keyId)
      const stripeState = key && key.tier !== "free" ? "pending" : "skipped"
      if (yield* store.usage.settle(row.id, { txSignature: row.txSignature!, receiptId: row.receiptId, settledAt: now, stripeState })) settled++
    } else if (state === "failed" || now - row.createdAt > options.giveUpAfterMs) {
      if (yield* store.usage.fail(row.id, state === "failed" ? "payment failed on chain" : "payment never reached the chain")) {
        yield* release(row)
        failed++
      }
    }
  }
  if (rows.length > 0) yield* Effect.logInfo("reconciled unknown calls", { settled, failed, unresolved: rows.length - settled - failed })
  return { settled, failed, unresolved: rows.length - settled - failed } satisfies ReconcileReport
})
