// The call's reservation: one op of the key's month, written as the call's
// own usage row in the same transaction, before anything is paid. It is a
// scoped resource: if the call fails or is interrupted before submit takes
// the row over, closing the scope releases it (the row goes, its op and spend
// come back). Because the reservation is a row, a crash cannot leak it
// either: the reconciler releases abandoned rows, and the counters always
// equal the rows.
import { type Cause, Clock, Effect, Exit } from "effect"
import { newId } from "../../../platform/ids"
import { periodOf } from "../../../platform/period"
import { Store } from "../../../store/store"
import type { KeyIdentity } from "../../keys/identity"
import { isBillable } from "../billable"
import { QuotaExhausted } from "../errors"

export type CallContext = { readonly agentId: string; readonly requestId: string; readonly idempotencyKey: string | undefined }

export type Reservation = {
  readonly usageId: string
  readonly period: string
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

export const reserveCall = (identity: KeyIdentity, call: CallContext) =>
  Effect.acquireRelease(
    Effect.gen(function* () {
      const store = yield* Store
      const now = yield* Clock.currentTimeMillis
      const period = periodOf(now)
      const usageId = newId("use", now)
      const quota = identity.limits.monthlyQuota
      const ops = yield* store.usage.reserve(
        { id: usageId, keyId: identity.keyId, userId: identity.userId, agentId: call.agentId, requestId: call.requestId, idempotencyKey: call.idempotencyKey ?? null, environment: identity.environment, billable: isBillable(identity), createdAt: now },
        period,
        quota,
      )
      if (ops === undefined) return yield* new QuotaExhausted({ limit: quota ?? 0, used: quota ?? 0, period })
      let handedOver = false
      return { usageId, period, handOver: () => void (handedOver = true), handedOver: () => handedOver }
    }),
    (reservation, exit) => (reservation.handedOver() || Exit.isSuccess(exit) ? Effect.void : releaseCall(reservation.usageId, failureReason(exit.cause))),
  ).pipe(Effect.map(({ usageId, period, handOver }): Reservation => ({ usageId, period, handOver })), Effect.withSpan("Gateway.reserveCall"))
