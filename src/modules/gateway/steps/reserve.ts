// The call's reservation: one op of the key's month, written as the call's
// own usage row in the same transaction, before anything is paid. Because the
// reservation is a row, a crash cannot leak it: the reconciler releases
// abandoned rows, and the counters always equal the rows.
import { Effect } from "effect"
import { Store } from "../../../store/store"
import type { KeyIdentity } from "../../keys/identity"
import { QuotaExhausted } from "../errors"

export const reserveCall = Effect.fn("Gateway.reserveCall")(function* (
  identity: KeyIdentity,
  call: { readonly usageId: string; readonly agentId: string; readonly requestId: string; readonly idempotencyKey: string | undefined; readonly period: string; readonly createdAt: number },
) {
  const store = yield* Store
  const quota = identity.limits.monthlyQuota
  const ops = yield* store.usage.reserve(
    { id: call.usageId, keyId: identity.keyId, userId: identity.userId, agentId: call.agentId, requestId: call.requestId, idempotencyKey: call.idempotencyKey ?? null, environment: identity.environment, createdAt: call.createdAt },
    call.period,
    quota,
  )
  if (ops === undefined) return yield* new QuotaExhausted({ limit: quota ?? 0, used: quota ?? 0, period: call.period })
  return ops
})

/** Fails the call's row and gives its op and spend back; a final row is left as it is. */
export const releaseCall = (usageId: string, reason: string) =>
  Effect.flatMap(Store, (store) => store.usage.release(usageId, reason)).pipe(
    // A lost release leaves the row open for the reconciler, which releases it.
    Effect.catchTag("StoreUnavailable", (e) => Effect.logError("call release failed; left for the reconciler", { usage_id: usageId, error: String(e.cause) })),
  )
