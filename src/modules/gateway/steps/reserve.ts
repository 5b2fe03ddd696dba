// The call's row, as a scoped resource. Nothing is written until the call has
// a signed payment of its own: then one commit records the row as pending
// with its payment, one op of the key's month and its price in the month's
// spend (steps/claim.ts), before the signed bytes may leave. If the call
// fails or is interrupted after that and before submit takes the row over,
// closing the scope releases it (the row turns failed, its op and spend come
// back). A crash leaves a pending row, which the reconciler resolves from the
// chain, so the counters always equal the rows.
import { type Cause, Clock, Effect, Exit } from "effect"
import { newId } from "../../../platform/ids"
import { periodOf } from "../../../platform/period"
import { Store } from "../../../store/store"
import type { Admitted } from "../../limits/admission-beside"

export type CallContext = {
  readonly agentId: string
  readonly requestId: string
  readonly idempotencyKey: string | undefined
  /** The call's admission by the key's limits, asked for beside its first steps: awaited before its payment is signed. */
  readonly admitted: Admitted
}

export type Reservation = {
  readonly usageId: string
  readonly period: string
  /** The call's time, epoch ms: its row's created_at, and the month it counts in. */
  readonly createdAt: number
  /** The row may have been written (claim): from then on the scope releases it on failure. */
  readonly recorded: () => void
  /** Submit takes the row over: from then on its outcome is recorded there, never released by the scope. */
  readonly handOver: () => void
}

/** Fails the call's row and gives its op and spend back; a final row is left as it is. */
export const releaseCall = (usageId: string, reason: string) =>
  Effect.flatMap(Store, (store) => store.usage.release(usageId, reason)).pipe(
    // A lost release leaves the row open for the reconciler, which releases it.
    Effect.catchTag("StoreUnavailable", (e) => Effect.logError("call release failed; left for the reconciler", { usage_id: usageId, error: String(e.cause) })),
  )

/** The row's error text: the failure's tag, or why the call stopped. */
export const failureReason = (cause: Cause.Cause<unknown>): string => {
  for (const reason of cause.reasons) {
    if (reason._tag === "Fail") return (reason.error as { readonly _tag?: string })._tag ?? "Failure"
    if (reason._tag === "Interrupt") return "Interrupted"
  }
  return "Defect"
}

export const reserveCall = () =>
  Effect.acquireRelease(
    Effect.gen(function* () {
      const now = yield* Clock.currentTimeMillis
      const state = { recorded: false, handedOver: false }
      return {
        usageId: newId("use", now),
        period: periodOf(now),
        createdAt: now,
        recorded: () => void (state.recorded = true),
        handOver: () => void (state.handedOver = true),
        mustRelease: () => state.recorded && !state.handedOver,
      }
    }),
    (call, exit) => (call.mustRelease() && !Exit.isSuccess(exit) ? releaseCall(call.usageId, failureReason(exit.cause)) : Effect.void),
  ).pipe(Effect.map(({ usageId, period, createdAt, recorded, handOver }): Reservation => ({ usageId, period, createdAt, recorded, handOver })))
