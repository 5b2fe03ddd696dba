// A payment of the call's own: choose a wallet, build the marketplace's
// transaction, check it against the signing policy, sign, and record the call
// with that signature (its one commit before submit). A claim is refused when another call
// already holds the same signed message (same wallet, agent and blockhash
// give the same bytes); then another wallet pays, or, when only the key's own
// wallet may (storage agents), the call waits for the blockhash to move on.
// The signed bytes leave this process only after their claim succeeded.
import { Clock, Effect } from "effect"
import type { AppConfig } from "../../../platform/config/service"
import { Store } from "../../../store/store"
import { payingStatuses, type WalletRow } from "../../../store/wallets/repo"
import type { KeyIdentity } from "../../keys/identity"
import { ApiKeys } from "../../keys/verifier"
import type { BuiltTransaction } from "../../marketplace/decode"
import type { WireAgent } from "../../marketplace/protocol"
import type { NetworkShape } from "../../network/service"
import { walletForCall } from "../../pool/wallet-for-call"
import { PaymentContention } from "../errors"
import { PaymentLanes } from "../payment-lanes"
import { buildPayment } from "./build"
import { claimPayment } from "./claim"
import { checkPolicy } from "./policy"
import type { Quoted } from "./price"
import type { CallContext, Reservation } from "./reserve"
import { signTransaction } from "./sign"

export type OwnPayment = {
  readonly wallet: WalletRow
  readonly built: BuiltTransaction
  readonly price: Quoted
  readonly signed: { readonly signedBase64: string; readonly txSignature: string }
  /** What the claim has to tell the developer (a quota threshold), once the payment is submitted. */
  readonly notify: Effect.Effect<void, never, AppConfig | Store>
}

/** How long a call may wait for a payment of its own, ms (wall time, not Effect's Clock, which tests may freeze). */
const WAIT_BUDGET_MS = 10_000
/** Between attempts on one lane, ms: 5, 10, 20 … capped at a mainnet slot's 400, jittered. */
const backoff = (attempt: number) => Effect.promise(() => Bun.sleep(Math.min(400, 5 * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2)))
/** How long the list of paying wallets is reused, ms (this process's own wallet writes drop it at once). */
const ALTERNATIVES_TTL_MS = 5_000

/** The wallets of the key's pool that may pay now. */
const payingWallets = Effect.fn("Gateway.payingWallets")(function* (environment: KeyIdentity["environment"]) {
  const lanes = yield* PaymentLanes
  const store = yield* Store
  const now = yield* Clock.currentTimeMillis
  const writes = store.wallets.writes()
  const cached = lanes.cachedAlternatives(environment, now, writes)
  if (cached) return cached
  const rows = (yield* store.wallets.list()).filter((w) => w.environment === environment && (payingStatuses as ReadonlyArray<string>).includes(w.status))
  lanes.rememberAlternatives(environment, rows, now, ALTERNATIVES_TTL_MS, writes)
  return rows
})

type Attempt = { readonly kind: "claimed"; readonly payment: OwnPayment } | { readonly kind: "taken" }

/** One try on one wallet: build, policy, admission, sign, claim. "taken" when the message is already another call's. */
const attemptPayment = Effect.fn("Gateway.attemptPayment")(function* (
  identity: KeyIdentity,
  network: NetworkShape,
  agent: WireAgent,
  input: Record<string, unknown>,
  call: CallContext & Reservation,
  wallet: WalletRow,
) {
  const lanes = yield* PaymentLanes
  const { built, price } = yield* buildPayment(identity, network, agent, input, wallet) // build
  const tx = yield* checkPolicy(network, agent, wallet, built) // policy
  yield* call.admitted // admission: nothing is signed for a call the key's limits refuse
  const blockhash = Buffer.from(tx.recentBlockhash).toString("hex")
  // Already claimed here: the same message, so it is not signed again.
  if (lanes.observe(agent.id, wallet.id, blockhash) === "taken") return { kind: "taken" } satisfies Attempt
  const signed = yield* signTransaction(wallet, tx) // sign
  const claimed = yield* claimPayment(identity, call, agent, wallet, { built, price, txSignature: signed.txSignature }) // claim
  lanes.claimed(agent.id, wallet.id, blockhash)
  if (claimed.kind === "claimed") return { kind: "claimed", payment: { wallet, built, price, signed, notify: claimed.notify } } satisfies Attempt
  // Another call (maybe on another instance) holds this message.
  yield* Effect.logDebug("payment message already claimed by another call; choosing again", { usage_id: call.usageId, wallet_id: wallet.id, agent_id: agent.id })
  return { kind: "taken" } satisfies Attempt
})

export const ownPayment = Effect.fn("Gateway.ownPayment")(function* (
  identity: KeyIdentity,
  network: NetworkShape,
  agent: WireAgent,
  input: Record<string, unknown>,
  call: CallContext & Reservation,
) {
  const keys = yield* ApiKeys
  const lanes = yield* PaymentLanes
  // A storage agent's data view is tied to the key's own wallet: no other payer.
  const storage = network.directory.namespaced.has(agent.id)
  const deadline = performance.now() + WAIT_BUDGET_MS
  for (let round = 1; ; round++) {
    const { wallet: own, keyChanged } = yield* walletForCall(identity, { storage, paying: yield* payingWallets(identity.environment) })
    // The call wrote the key's row (its first wallet, a test key leaving a
    // live wallet, or its first storage call's wallet): drop the cached
    // identity, so the next calls read it instead of repeating the write.
    if (keyChanged && round === 1) keys.forget(identity.keyId)
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
