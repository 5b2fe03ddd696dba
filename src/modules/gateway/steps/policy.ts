// The signing policy over the built bytes: it parses them and hands back the
// transaction it approved, which is the one signed.
import { Effect } from "effect"
import { AppConfig } from "../../../platform/config/service"
import type { WalletRow } from "../../../store/wallets/repo"
import type { BuiltTransaction } from "../../marketplace/decode"
import type { WireAgent } from "../../marketplace/protocol"
import { mintOf } from "../../network/addresses"
import type { NetworkShape } from "../../network/service"
import { enforcePolicy, policyLimits } from "../../pool/enforce-policy"

export const checkPolicy = Effect.fn("Gateway.policy")(function* (network: NetworkShape, agent: WireAgent, wallet: WalletRow, built: BuiltTransaction) {
  const config = yield* AppConfig
  const { tx } = yield* enforcePolicy(
    {
      tx: Buffer.from(built.transaction, "base64"),
      payer: wallet.publicKey,
      quote: { amountBase: built.amountBase, token: built.token, ...mintOf(network, built.token) },
      knownPriceBase: agent.price_base,
      knownPriceToken: agent.token,
      recipients: [agent.owner_wallet, network.protocolFeeWallet],
      ...policyLimits(config),
    },
    { walletId: wallet.id, agentId: agent.id, paymentIntentId: built.paymentIntentId },
  )
  return tx
})
