// Records the call with its signed payment: one commit writes the pending row,
// counts one op of the month within the quota and adds the price to the
// month's spend within the cap. The unique index on the signature arbitrates
// across instances: "duplicate" means another call holds the same signed
// message, which must then not be submitted. Nothing is written otherwise.
import { Effect } from "effect"
import { Store } from "../../../store/store"
import type { WalletRow } from "../../../store/wallets/repo"
import type { KeyIdentity } from "../../keys/identity"
import type { BuiltTransaction } from "../../marketplace/decode"
import type { WireAgent } from "../../marketplace/protocol"
import { isBillable } from "../billable"
import { QuotaExhausted, SpendCapReached } from "../errors"
import { emitQuietly, quotaEventId, quotaThresholdCrossed } from "../../webhooks/events"
import type { Quoted } from "./price"
import type { CallContext, Reservation } from "./reserve"

export const claimPayment = Effect.fn("Gateway.claim")(function* (
  identity: KeyIdentity,
  call: CallContext & Reservation,
  agent: WireAgent,
  wallet: WalletRow,
  payment: { readonly built: BuiltTransaction; readonly price: Quoted; readonly txSignature: string },
) {
  const store = yield* Store
  const { built, price } = payment
  const quota = identity.limits.monthlyQuota
  const cap = identity.limits.monthlySpendCapMicroUsd
  // Before the write: a commit whose answer is lost must be released by the
  // scope too (releasing a row that was never written changes nothing).
  call.recorded()
  const recorded = yield* store.usage.record(
    {
      id: call.usageId,
      keyId: identity.keyId,
      userId: identity.userId,
      agentId: call.agentId,
      requestId: call.requestId,
      idempotencyKey: call.idempotencyKey ?? null,
      environment: identity.environment,
      billable: isBillable(identity),
      createdAt: call.createdAt,
    },
    call.period,
    {
      agentName: agent.name.slice(0, 200),
      agentPriceMicroUsd: price.agentPriceMicroUsd,
      markupMicroUsd: price.markupMicroUsd,
      developerPriceMicroUsd: price.developerPriceMicroUsd,
      priceToken: price.token,
      priceBase: price.priceBase,
      solRateMicroUsd: price.solRateMicroUsd,
      walletId: wallet.id,
      paymentIntentId: built.paymentIntentId,
      txSignature: payment.txSignature,
    },
    { quota, capMicroUsd: cap },
  )
  const key = { id: identity.keyId, prefix: identity.prefix }
  switch (recorded.kind) {
    case "recorded": {
      // The call that reaches 80 % or 100 % of the month's quota tells the developer's webhooks, once a
      // month each: after its payment is submitted (submit.ts), never between the record and the submit.
      const threshold = quotaThresholdCrossed(recorded.ops, quota)
      const notify =
        threshold === undefined
          ? Effect.void
          : emitQuietly(identity.userId, "usage.quota_threshold", { key, period: call.period, threshold, used: recorded.ops, quota }, quotaEventId(identity.keyId, call.period, quota!, threshold))
      return { kind: "claimed", notify } as const
    }
    case "duplicate":
      return { kind: "duplicate" } as const
    case "over_quota":
      // A quota lowered below the month's count is reached without a call reaching it: the refusal tells it, once per quota.
      if (quota !== null) yield* emitQuietly(identity.userId, "usage.quota_threshold", { key, period: call.period, threshold: 100, used: quota, quota }, quotaEventId(identity.keyId, call.period, quota, 100))
      return yield* new QuotaExhausted({ limit: quota ?? 0, used: quota ?? 0, period: call.period })
    case "over_cap":
      yield* emitQuietly(identity.userId, "usage.spend_cap_reached", { key, period: call.period, cap_micro_usd: cap, spent_micro_usd: recorded.spentMicroUsd }, `evt_cap_${identity.keyId}_${call.period}_${cap ?? 0}`)
      return yield* new SpendCapReached({ capMicroUsd: cap ?? 0, spentMicroUsd: recorded.spentMicroUsd, priceMicroUsd: price.developerPriceMicroUsd })
  }
})
