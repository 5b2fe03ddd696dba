// The paid part of an agent call, top to bottom:
// reserve (quota, as the call's own row) → agent → own payment (wallet, build,
// signing policy, sign, claim with the spend cap) → submit → settle.
// Money moves in one place (submit). Before it, any failure or a client
// disconnect releases the row; from submit on, the outcome is recorded
// whatever happens to the request (that part cannot be interrupted).
import { type Cause, Clock, Effect } from "effect"
import { newId } from "../../platform/ids"
import { periodOf } from "../../platform/period"
import { Store } from "../../store/store"
import type { KeyIdentity } from "../keys/identity"
import { mayHaveSettled } from "../marketplace/errors"
import type { WireAgent } from "../marketplace/protocol"
import { resolveAgentId, type AgentDirectoryShape } from "../network/agents"
import type { NetworkShape } from "../network/service"
import { billingStateAtSettlement } from "./billable"
import { UnknownAgentAlias } from "./errors"
import { formatUsd } from "./money"
import { ownPayment, type OwnPayment } from "./steps/payment"
import { releaseCall, reserveCall } from "./steps/reserve"

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

export const resolveAgent = Effect.fn("Gateway.resolveAgent")(function* (directory: AgentDirectoryShape, ref: string) {
  const agentId = resolveAgentId(directory, ref)
  if (agentId === undefined) return yield* new UnknownAgentAlias({ ref: ref.slice(0, 100) })
  return agentId
})

export const callAgent = Effect.fn("Gateway.callAgent")(function* (
  identity: KeyIdentity,
  network: NetworkShape,
  agentId: string,
  input: Record<string, unknown>,
  context: { readonly requestId: string; readonly idempotencyKey: string | undefined },
) {
  const now = yield* Clock.currentTimeMillis
  const period = periodOf(now)
  const usageId = newId("use", now)

  // Only step 2–6 can be interrupted (a client gone): the reservation and its
  // release hook, and the step from a claimed payment to its submit, leave no
  // gap where a disconnect would strand a row until the reconciler.
  return yield* Effect.uninterruptibleMask((restore) =>
    Effect.gen(function* () {
      // 1. Quota: the call is counted, as its own row, before anything is paid.
      yield* reserveCall(identity, { usageId, agentId, requestId: context.requestId, idempotencyKey: context.idempotencyKey, period, createdAt: now })

      // 2–6. Everything before money can move; any failure or a client
      // disconnect here releases the row (nothing was submitted).
      const { agent, payment } = yield* restore(
        Effect.gen(function* () {
          const agent = yield* network.marketplace.getAgent(agentId)
          const payment = yield* ownPayment(identity, network, agent, input, { usageId, period })
          return { agent, payment }
        }),
      ).pipe(Effect.onError((cause) => releaseCall(usageId, failureReason(cause))))
      return yield* submitAndRecord(identity, network, agentId, context, { usageId, agent, payment })
    }),
  )
})

// 7–8. Submit and record. Uninterruptible: the payment may leave the wallet,
// so its outcome is written down even if the caller has gone.
const submitAndRecord = Effect.fn("Gateway.submit")(function* (
  identity: KeyIdentity,
  network: NetworkShape,
  agentId: string,
  context: { readonly requestId: string },
  call: { readonly usageId: string; readonly agent: WireAgent; readonly payment: OwnPayment },
) {
  const store = yield* Store
  const { usageId, agent } = call
  const { price, built, signed } = call.payment
  return yield* Effect.gen(function* () {
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
      const stripeState = billingStateAtSettlement({ environment: identity.environment, tier: identity.tier })
      const settled = yield* bookkeeping(store.usage.settle(usageId, { txSignature: signed.txSignature, receiptId: result.receiptId, settledAt, stripeState }))
      // Released meanwhile (the reconciler gave up on it): the pool paid and nobody is charged.
      if (settled === false) yield* Effect.logError("a paid call's row was already released; the money audit reports it as paid_without_charge", { usage_id: usageId })
    }
    const response: CallResponse = {
      success: true,
      output: result.output,
      usage: {
        cost_usd: formatUsd(price.developerPriceMicroUsd),
        cost_micro_usd: price.developerPriceMicroUsd,
        agent: { id: agentId, name: agent.name },
        tier: identity.tier,
        request_id: context.requestId,
      },
      receipt: { tx_signature: signed.txSignature, receipt_id: result.receiptId },
    }
    return response
  }).pipe(Effect.uninterruptible)
})

/** The row's error text: the failure's tag, or why the call stopped. */
const failureReason = (cause: Cause.Cause<{ readonly _tag: string }>): string => {
  for (const reason of cause.reasons) {
    if (reason._tag === "Fail") return reason.error._tag
    if (reason._tag === "Interrupt") return "Interrupted"
  }
  return "Defect"
}
