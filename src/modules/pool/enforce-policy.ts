// Glue between the pure signing policy and the call pipeline: limits from the
// configuration, and a rejection that is logged for the operator (code,
// reason, wallet, agent; never a secret) and fails with TransactionRejected.
import { Effect } from "effect"
import type { Config } from "../../platform/config/config"
import { TransactionRejected } from "./errors"
import type { LegacyTransaction } from "../../platform/solana/legacy-transaction"
import { checkTransaction, type Outflow, type PolicyInput } from "./signing-policy"

export type PolicyLimits = Pick<PolicyInput, "allowanceMicroUsd" | "toleranceBps" | "computeUnitPriceCap" | "solPriceMicroUsd">

export const policyLimits = (config: Config): PolicyLimits => ({
  allowanceMicroUsd: config.signingAllowanceBase,
  toleranceBps: config.signingPriceToleranceBps,
  computeUnitPriceCap: config.signingMaxCuPriceMicroLamports,
  solPriceMicroUsd: config.signingSolPriceMicroUsd,
})

export type RejectionContext = {
  readonly walletId: string
  readonly agentId?: string
  readonly paymentIntentId?: string
}

/** Logs a refused transaction at warning level for the operator. */
export const logRejection = (rejection: { readonly code: string; readonly reason: string }, context: RejectionContext) =>
  Effect.logWarning("signing policy rejected a marketplace transaction; nothing was signed", {
    policy_code: rejection.code,
    reason: rejection.reason,
    wallet_id: context.walletId,
    agent_id: context.agentId,
    payment_intent_id: context.paymentIntentId,
  })

/** Runs the policy; on refusal logs it and fails with TransactionRejected. The approved transaction is the one to sign. */
export const enforcePolicy = Effect.fn("Pool.enforcePolicy")(function* (input: PolicyInput, context: RejectionContext) {
  const verdict = checkTransaction(input)
  if (verdict.ok) return { outflow: verdict.outflow, tx: verdict.tx } as { readonly outflow: Outflow; readonly tx: LegacyTransaction }
  yield* logRejection(verdict, context)
  return yield* Effect.fail(new TransactionRejected({ code: verdict.code, reason: verdict.reason }))
})
