// The marketplace builds the payment for the chosen wallet, and the price
// charged is the one it quotes now (the policy bounds it by the known price).
import { Effect } from "effect"
import { AppConfig } from "../../../platform/config/service"
import type { WalletRow } from "../../../store/wallets/repo"
import type { KeyIdentity } from "../../keys/identity"
import type { WireAgent } from "../../marketplace/protocol"
import { namespacedInput } from "../../network/agents"
import type { NetworkShape } from "../../network/service"
import { priceQuote } from "./price"

export const buildPayment = Effect.fn("Gateway.build")(function* (identity: KeyIdentity, network: NetworkShape, agent: WireAgent, input: Record<string, unknown>, wallet: WalletRow) {
  const config = yield* AppConfig
  const built = yield* network.marketplace.buildTransaction(agent.id, {
    payer_wallet: wallet.publicKey,
    selected_token: agent.token,
    input: namespacedInput(network.directory, agent.id, identity.storageNamespace, input),
  })
  return { built, price: priceQuote(built.token, built.amountBase, config.markupBps, config.solPriceMicroUsd) }
})
