// What an agent call can fail with, as a value (platform/http/failures.ts):
// every tag of the pipeline's error type, checked by the compiler both ways,
// so the call routes document exactly what the pipeline can answer.
import type { Effect } from "effect"
import { failuresOf } from "../../platform/http/failures"
import type { UnknownAgentAlias } from "./errors"
import type { agentCallPipeline } from "./pipeline"

export const agentCallFailures = failuresOf<Effect.Error<ReturnType<typeof agentCallPipeline<UnknownAgentAlias>>>>()([
  // authenticate, card
  "ApiKeyMissing", "ApiKeyMalformed", "ApiKeyUnknown", "KeyRevoked", "KeyExpired", "KeySuspended", "CardRequired",
  // agent, idempotency
  "UnknownAgentAlias", "IdempotencyKeyInvalid", "IdempotencyKeyReused", "IdempotencyInFlight",
  // rate, concurrency, quota, spend cap
  "RateLimited", "ConcurrencyLimitExceeded", "LimiterUnavailable", "QuotaExhausted", "SpendCapReached",
  // the agent as listed, its build and its call
  "AgentNotFound", "AgentInputInvalid", "AgentPrivate", "AgentTimedOut", "AgentOutputInvalid", "PayerLacksFunds", "PaymentIntentExpired", "ReceiptNotFound",
  "MarketplaceUnreachable", "MarketplaceTimedOut", "MarketplaceBadResponse", "MarketplaceRefused", "CallOutcomeUnknown",
  // the wallet, its key, the signing policy, a payment of the call's own
  "KeyNotFound", "WalletNotFound", "NoFundedWallet", "WalletDepleted", "EnvelopeInvalid", "MasterKeyUnknown", "DecryptFailed", "TransactionRejected", "PaymentContention",
  "StoreUnavailable"
])
