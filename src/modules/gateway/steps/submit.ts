// Submit and settle: the one place money moves. Uninterruptible from the
// moment it takes the reservation over, because the payment may leave the
// wallet: its outcome is written down even if the caller has gone. A refusal
// that proves nothing was paid releases the row; an answer lost after the
// payment may have been sent leaves it unknown for the reconciler.
import { Clock, Effect } from "effect"
import { Store } from "../../../store/store"
import { freeSlotEarly } from "../../limits/concurrency"
import { count, spendTotal } from "../../../platform/metrics"
import type { KeyIdentity } from "../../keys/identity"
import { CallOutcomeUnknown, mayHaveSettled } from "../../marketplace/errors"
import type { WireAgent } from "../../marketplace/protocol"
import type { NetworkShape } from "../../network/service"
import { formatUsd } from "../money"
import type { OwnPayment } from "./payment"
import { releaseCall, type CallContext, type Reservation } from "./reserve"

export type CallResponse = {
  readonly success: true
  readonly output: Record<string, unknown>
  readonly usage: {
    readonly cost_usd: string
    readonly cost_micro_usd: number
    readonly agent: { readonly id: string; readonly name: string }
    readonly tier: string
    readonly request_id: string
  }
  readonly receipt: { readonly tx_signature: string; readonly receipt_id: string }
}

export const submitAndSettle = Effect.fn("Gateway.submit")(function* (
  identity: KeyIdentity,
  network: NetworkShape,
  call: CallContext,
  reservation: Reservation,
  agent: WireAgent,
  payment: OwnPayment,
) {
  const store = yield* Store
  const { usageId } = reservation
  const agentId = call.agentId
  const { price, built, signed } = payment
  return yield* Effect.gen(function* () {
    // From here the row's outcome is recorded below, whatever happens to the request.
    reservation.handOver()
    // After submit, a failed bookkeeping write must not change the answer (a
    // 503 would invite a retry that pays twice): the row stays open and the
    // reconciler settles it from the chain.
    const bookkeeping = <E extends { readonly _tag: string }, R>(write: Effect.Effect<unknown, E, R>) =>
      write.pipe(Effect.catch((e) => Effect.logError("usage row not updated after submit; left for the reconciler", { usage_id: usageId, error: e._tag })))

    const result = yield* network.marketplace.call({ payment_intent_id: built.paymentIntentId, signed_transaction: signed.signedBase64 }).pipe(
      Effect.tapError((e) =>
        mayHaveSettled(e)
          ? // Paid or not is unknown: the row keeps its reservation; the reconciler decides.
            bookkeeping(store.usage.markUnknown(usageId, { txSignature: signed.txSignature, error: e._tag }))
          : // Refused before payment settled: costs nothing.
            releaseCall(usageId, e._tag),
      ),
    )
    if (result.txSignature !== signed.txSignature) {
      // Not evidence of this call's own payment: the reconciler decides from
      // the signature the row claimed.
      yield* Effect.logWarning("the marketplace reported another transaction signature than the one submitted; left for the reconciler", { usage_id: usageId })
      yield* bookkeeping(store.usage.markUnknown(usageId, { txSignature: signed.txSignature, error: "SignatureMismatch" }))
    } else {
      const settledAt = yield* Clock.currentTimeMillis
      // The marketplace has answered: the key's slot frees beside the settle write.
      const [settled] = yield* Effect.all([bookkeeping(store.usage.settle(usageId, { txSignature: signed.txSignature, receiptId: result.receiptId, settledAt })), freeSlotEarly], { concurrency: 2 })
      if (settled === true) yield* count(spendTotal, { tier: identity.tier }, price.developerPriceMicroUsd)
      // Released meanwhile (the reconciler gave up on it): the pool paid and nobody is charged.
      if (settled === false) yield* Effect.logError("a paid call's row was already released; the money audit reports it as paid_without_charge", { usage_id: usageId })
    }
    // Told once the payment is submitted: never between the record and the submit.
    yield* payment.notify
    const response: CallResponse = {
      success: true,
      output: result.output,
      usage: {
        cost_usd: formatUsd(price.developerPriceMicroUsd),
        cost_micro_usd: price.developerPriceMicroUsd,
        agent: { id: agentId, name: agent.name },
        tier: identity.tier,
        request_id: call.requestId,
      },
      receipt: { tx_signature: signed.txSignature, receipt_id: result.receiptId },
    }
    return response
  }).pipe(
    // A bug past this point must not read as "nothing was paid": the payment
    // may have left. The row stays open for the reconciler, and the caller
    // gets (and its Idempotency-Key keeps) "outcome unknown", never a retry.
    Effect.catchDefect((defect) =>
      Effect.logError("defect after the payment was handed over; left for the reconciler", { usage_id: usageId, defect: String(defect) }).pipe(
        Effect.andThen(new CallOutcomeUnknown({ paymentIntentId: built.paymentIntentId, txSignature: signed.txSignature, reason: "the gateway failed after submitting the payment" })),
      ),
    ),
    Effect.uninterruptible,
  )
})
