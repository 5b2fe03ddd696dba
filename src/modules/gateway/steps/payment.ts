// A payment of the call's own: choose a wallet, build the marketplace's
// transaction, check it against the signing policy, sign, and claim the
// signature on the call's reserved row. A claim is refused when another call
// already holds the same signed message (same wallet, agent and blockhash
// give the same bytes); then another wallet pays, or, when only the key's own
// wallet may (storage agents), the call waits for the blockhash to move on.
// The signed bytes leave this process only after their claim succeeded.
import { Clock, Effect } from "effect"
import { AppConfig } from "../../../platform/config/service"
import { Store } from "../../../store/store"
import { payingStatuses, type WalletRow } from "../../../store/wallets/repo"
import type { KeyIdentity } from "../../keys/identity"
import { ApiKeys } from "../../keys/verifier"
import type { BuiltTransaction } from "../../marketplace/decode"
import type { WireAgent } from "../../marketplace/protocol"
import { mintOf } from "../../network/addresses"
import { namespacedInput } from "../../network/agents"
import type { NetworkShape } from "../../network/service"
import { enforcePolicy, policyLimits } from "../../pool/enforce-policy"
import { walletForCall } from "../../pool/wallet-for-call"
import { PaymentContention, SpendCapReached } from "../errors"
import { PaymentLanes } from "../payment-lanes"
import { priceQuote, type Quoted } from "./price"
import { signTransaction } from "./sign"

export type OwnPayment = {
  readonly wallet: WalletRow
  readonly built: BuiltTransaction
  readonly price: Quoted
  readonly signed: { readonly signedBase64: string; readonly txSignature: string }
}

/** How long a call may wait for a payment of its own, ms (wall time, not Effect's Clock, which tests may freeze). */
const WAIT_BUDGET_MS = 10_000
/** Between attempts on one lane, ms: 5, 10, 20 … capped at a mainnet slot's 400, jittered. */
const backoff = (attempt: number) => Effect.promise(() => Bun.sleep(Math.min(400, 5 * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2)))
/** How long the list of paying wallets is reused for contended calls, ms. */
const ALTERNATIVES_TTL_MS = 5_000

/** The wallets of the key's pool that may pay now. */
const payingWallets = Effect.fn("Gateway.payingWallets")(function* (environment: KeyIdentity["environment"]) {
  const lanes = yield* PaymentLanes
  const now = yield* Clock.currentTimeMillis
  const cached = lanes.cachedAlternatives(environment, now)
  if (cached) return cached
  const store = yield* Store
  const rows = (yield* store.wallets.list()).filter((w) => w.environment === environment && (payingStatuses as ReadonlyArray<string>).includes(w.status))
  lanes.rememberAlternatives(environment, rows, now, ALTERNATIVES_TTL_MS)
  return rows
})

type Attempt = { readonly kind: "claimed"; readonly payment: OwnPayment } | { readonly kind: "taken" }

const attemptPayment = Effect.fn("Gateway.attemptPayment")(function* (
  identity: KeyIdentity,
  network: NetworkShape,
  agent: WireAgent,
  input: Record<string, unknown>,
  call: { readonly usageId: string; readonly period: string },
  wallet: WalletRow,
) {
  const config = yield* AppConfig
  const store = yield* Store
  const lanes = yield* PaymentLanes
  const built = yield* network.marketplace.buildTransaction(agent.id, {
    payer_wallet: wallet.publicKey,
    selected_token: agent.token,
    input: namespacedInput(network.directory, agent.id, identity.storageNamespace, input),
  })
  // The price charged is the one quoted at build time (the policy bounds it by the known price).
  const price = priceQuote(built.token, built.amountBase, config.markupBps, config.solPriceMicroUsd)
  // The policy parses the bytes and hands back the transaction it approved: that one is signed.
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
  const blockhash = Buffer.from(tx.recentBlockhash).toString("hex")
  // Already claimed here: the same message, so it is not signed again.
  if (lanes.observe(agent.id, wallet.id, blockhash) === "taken") return { kind: "taken" } satisfies Attempt
  const signed = yield* signTransaction(wallet, tx)
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
      txSignature: signed.txSignature,
    },
    cap,
  )
  switch (claim.kind) {
    case "claimed":
      lanes.claimed(agent.id, wallet.id, blockhash)
      return { kind: "claimed", payment: { wallet, built, price, signed } } satisfies Attempt
    case "duplicate":
      // Another call (maybe on another instance) holds this message.
      lanes.claimed(agent.id, wallet.id, blockhash)
      yield* Effect.logDebug("payment message already claimed by another call; choosing again", { usage_id: call.usageId, wallet_id: wallet.id, agent_id: agent.id })
      return { kind: "taken" } satisfies Attempt
    case "over_cap":
      return yield* new SpendCapReached({ capMicroUsd: cap ?? 0, spentMicroUsd: claim.spentMicroUsd, priceMicroUsd: price.developerPriceMicroUsd })
    case "gone":
      return yield* new PaymentContention({ reason: "reservation_abandoned" })
  }
})

export const ownPayment = Effect.fn("Gateway.ownPayment")(function* (
  identity: KeyIdentity,
  network: NetworkShape,
  agent: WireAgent,
  input: Record<string, unknown>,
  call: { readonly usageId: string; readonly period: string },
) {
  const keys = yield* ApiKeys
  const lanes = yield* PaymentLanes
  // A storage agent's data view is tied to the key's own wallet: no other payer.
  const storage = network.directory.namespaced.has(agent.id)
  const deadline = performance.now() + WAIT_BUDGET_MS
  for (let round = 1; ; round++) {
    const { wallet: own, borrowed } = yield* walletForCall(identity, { storage })
    // The call (re)assigned the key's wallet (its first call, or a test key
    // leaving a live wallet): drop the cached identity, so the next calls read
    // the assignment instead of repeating it.
    if (!borrowed && own.id !== identity.walletId && round === 1) keys.forget(identity.keyId)
    const alternatives = storage || lanes.isFree(agent.id, own.id) ? undefined : yield* payingWallets(identity.environment)
    const chosen = lanes.choose(agent.id, own, alternatives)
    // On its lane, a call tries until it claims a payment; when it could go
    // to another wallet instead, one taken attempt sends it back to choosing.
    const mayMove = alternatives !== undefined && alternatives.length > 1
    const outcome = yield* Effect.gen(function* () {
      for (let attempt = 1; ; attempt++) {
        const tried = yield* attemptPayment(identity, network, agent, input, call, chosen.wallet)
        if (tried.kind === "claimed" || mayMove || performance.now() > deadline) return tried
        yield* backoff(attempt)
      }
    }).pipe(lanes.gate(agent.id, chosen.wallet.id).withPermits(1), Effect.ensuring(Effect.sync(() => lanes.release(agent.id, chosen.wallet.id))))
    if (outcome.kind === "claimed") return outcome.payment
    if (performance.now() > deadline) {
      yield* Effect.logWarning("no distinct payment could be made for a call", { usage_id: call.usageId, agent_id: agent.id, rounds: round })
      return yield* new PaymentContention({ reason: "no_distinct_payment" })
    }
    // Every wallet was busy: give the blockhash a moment to move on.
    if (!chosen.free) yield* backoff(Math.min(round, 4))
  }
})
