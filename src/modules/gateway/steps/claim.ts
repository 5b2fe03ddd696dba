// Claims the signed payment on the call's reserved row, with its price added
// to the month's spend within the cap, in one transaction. The unique index
// on the signature arbitrates across instances: "duplicate" means another
// call holds the same signed message, which must then not be submitted.
import { Effect } from "effect"
import { Store } from "../../../store/store"
import type { WalletRow } from "../../../store/wallets/repo"
import type { KeyIdentity } from "../../keys/identity"
import type { BuiltTransaction } from "../../marketplace/decode"
import type { WireAgent } from "../../marketplace/protocol"
import { PaymentContention, SpendCapReached } from "../errors"
import type { Quoted } from "./price"

export const claimPayment = Effect.fn("Gateway.claim")(function* (
  identity: KeyIdentity,
  call: { readonly usageId: string; readonly period: string },
  agent: WireAgent,
  wallet: WalletRow,
  payment: { readonly built: BuiltTransaction; readonly price: Quoted; readonly txSignature: string },
) {
  const store = yield* Store
  const { built, price } = payment
  const cap = identity.limits.monthlySpendCapMicroUsd
  const claim = yield* store.usage.claim(
    call.usageId,
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
    cap,
  )
  switch (claim.kind) {
    case "claimed":
    case "duplicate":
      return claim.kind
    case "over_cap":
      return yield* new SpendCapReached({ capMicroUsd: cap ?? 0, spentMicroUsd: claim.spentMicroUsd, priceMicroUsd: price.developerPriceMicroUsd })
    case "gone":
      return yield* new PaymentContention({ reason: "reservation_abandoned" })
  }
})
