// The agent-call pipeline. Each step is a typed Effect; this file only puts
// them in order. Money moves in one place (submit), and from the moment a
// signed payment may have left, the outcome is recorded whatever happens to
// the request (the submit phase cannot be interrupted).
import { Clock, Effect } from "effect"
import { AppConfig } from "../../platform/config/service"
import { newId } from "../../platform/ids"
import { periodOf } from "../../platform/period"
import { Store } from "../../store/store"
import type { KeyIdentity } from "../keys/identity"
import { ApiKeys } from "../keys/verifier"
import { mayHaveSettled } from "../marketplace/errors"
import { Marketplace } from "../marketplace/service"
import { enforcePolicy, policyLimits } from "../pool/enforce-policy"
import { walletForCall } from "../pool/wallet-for-call"
import { AgentDirectory, namespacedInput, resolveAgentId } from "./agents"
import { UnknownAgentAlias } from "./errors"
import { formatUsd } from "./money"
import { mintOf, protocolFeeWalletOf } from "../chain/network"
import { priceQuote } from "./steps/price"
import { releaseReservation, reserveQuota, reserveSpend } from "./steps/quota"
import { signTransaction } from "./steps/sign"

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

export const resolveAgent = Effect.fn("Gateway.resolveAgent")(function* (ref: string) {
  const directory = yield* AgentDirectory
  const agentId = resolveAgentId(directory, ref)
  if (agentId === undefined) return yield* new UnknownAgentAlias({ ref: ref.slice(0, 100) })
  return agentId
})

export const callAgent = Effect.fn("Gateway.callAgent")(function* (
  identity: KeyIdentity,
  agentId: string,
  input: Record<string, unknown>,
  context: { readonly requestId: string; readonly idempotencyKey: string | undefined },
) {
  const config = yield* AppConfig
  const directory = yield* AgentDirectory
  const store = yield* Store
  const marketplace = yield* Marketplace
  const keys = yield* ApiKeys
  const now = yield* Clock.currentTimeMillis
  const period = periodOf(now)

  // 1. Quota: one call counted before anything is paid.
  yield* reserveQuota(identity, period)
  let reservedSpend = 0

  // 2–7. Everything before money can move; any failure or a client
  // disconnect here gives the reservation back.
  const prepared = yield* Effect.gen(function* () {
    const agent = yield* marketplace.getAgent(agentId)
    // A storage agent's data view is tied to the key's own wallet: no stand-in.
    const { wallet } = yield* walletForCall(identity.keyId, identity.walletId, { storage: directory.namespaced.has(agentId) })
    // The key's first call assigned its wallet: drop the cached identity, so
    // the next calls read the assignment instead of repeating it.
    if (identity.walletId === null) keys.forget(identity.keyId)
    const built = yield* marketplace.buildTransaction(agentId, {
      payer_wallet: wallet.publicKey,
      selected_token: agent.token,
      input: namespacedInput(directory, agentId, identity.keyId, input),
    })
    // The price charged is the one quoted at build time (the policy bounds it by the known price).
    const price = priceQuote(built.token, built.amountBase, config.markupBps, config.solPriceMicroUsd)
    // The policy parses the bytes and hands back the transaction it approved: that one is signed.
    const { tx } = yield* enforcePolicy(
      {
        tx: Buffer.from(built.transaction, "base64"),
        payer: wallet.publicKey,
        quote: { amountBase: built.amountBase, token: built.token, ...mintOf(config, built.token) },
        knownPriceBase: agent.price_base,
        knownPriceToken: agent.token,
        recipients: [agent.owner_wallet, protocolFeeWalletOf(config)],
        ...policyLimits(config),
      },
      { walletId: wallet.id, agentId, paymentIntentId: built.paymentIntentId },
    )
    yield* reserveSpend(identity, period, price.developerPriceMicroUsd)
    reservedSpend = price.developerPriceMicroUsd
    const signed = yield* signTransaction(wallet, tx)
    return { agent, wallet, built, price, signed }
  }).pipe(Effect.onError(() => releaseReservation(identity, period, reservedSpend)))

  // 8–10. Submit and record. Uninterruptible: the payment may leave the
  // wallet, so its outcome is written down even if the caller has gone.
  const { agent, wallet, built, price, signed } = prepared
  const usageId = newId("use", now)
  return yield* Effect.gen(function* () {
    yield* store.usage
      .insertPending({
        id: usageId,
        keyId: identity.keyId,
        userId: identity.userId,
        agentId,
        agentName: agent.name.slice(0, 200),
        agentPriceMicroUsd: price.agentPriceMicroUsd,
        markupMicroUsd: price.markupMicroUsd,
        developerPriceMicroUsd: price.developerPriceMicroUsd,
        priceToken: price.token,
        priceBase: price.priceBase,
        solRateMicroUsd: price.solRateMicroUsd,
        walletId: wallet.id,
        requestId: context.requestId,
        idempotencyKey: context.idempotencyKey ?? null,
        paymentIntentId: built.paymentIntentId,
        // Known before submit, so a crash mid-call can still be reconciled from the chain.
        txSignature: signed.txSignature,
        state: "pending",
        createdAt: now,
      })
      .pipe(Effect.onError(() => releaseReservation(identity, period, reservedSpend)))

    // After submit, a failed bookkeeping write must not change the answer (a
    // 503 would invite a retry that pays twice): the row stays pending and the
    // reconciler settles it from the chain.
    const bookkeeping = <E extends { readonly _tag: string }, R>(write: Effect.Effect<unknown, E, R>) =>
      write.pipe(Effect.catch((e) => Effect.logError("usage row not updated after submit; left for the reconciler", { usage_id: usageId, error: e._tag })))

    const result = yield* marketplace.call({ payment_intent_id: built.paymentIntentId, signed_transaction: signed.signedBase64 }).pipe(
      Effect.tapError((e) =>
        mayHaveSettled(e)
          ? // Paid or not is unknown: keep the reservation; the reconciler decides.
            bookkeeping(store.usage.markUnknown(usageId, { txSignature: signed.txSignature, error: e._tag }))
          : // Refused before payment settled: costs nothing.
            bookkeeping(Effect.andThen(store.usage.fail(usageId, e._tag), releaseReservation(identity, period, reservedSpend))),
      ),
    )
    const settledAt = yield* Clock.currentTimeMillis
    // Free-tier usage is never reported to Stripe; paid tiers report from now on.
    yield* bookkeeping(store.usage.settle(usageId, { txSignature: result.txSignature, receiptId: result.receiptId, settledAt, stripeState: identity.tier === "free" ? "skipped" : "pending" }))
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
      receipt: { tx_signature: result.txSignature, receipt_id: result.receiptId },
    }
    return response
  }).pipe(Effect.uninterruptible)
})
