// What a typed storage call can fail with, as a value (platform/http/failures.ts):
// an agent call's failures (its agent is fixed, so no unknown alias), the
// storage agent not being configured, and a value too long once encoded.
import type { Effect } from "effect"
import { failuresOf } from "../../platform/http/failures"
import type { storageCall } from "./call"

export const storageCallFailures = failuresOf<Effect.Error<ReturnType<typeof storageCall>>>()([
  "StorageAgentNotConfigured", "InvalidInput",
  "ApiKeyMissing", "ApiKeyMalformed", "ApiKeyUnknown", "KeyRevoked", "KeyExpired", "KeySuspended", "CardRequired",
  "IdempotencyKeyInvalid", "IdempotencyKeyReused", "IdempotencyInFlight",
  "RateLimited", "ConcurrencyLimitExceeded", "LimiterUnavailable", "QuotaExhausted", "SpendCapReached",
  "AgentNotFound", "AgentInputInvalid", "AgentPrivate", "AgentTimedOut", "AgentOutputInvalid", "PayerLacksFunds", "PaymentIntentExpired", "ReceiptNotFound",
  "MarketplaceUnreachable", "MarketplaceTimedOut", "MarketplaceBadResponse", "MarketplaceRefused", "CallOutcomeUnknown",
  "KeyNotFound", "WalletNotFound", "NoFundedWallet", "WalletDepleted", "EnvelopeInvalid", "MasterKeyUnknown", "DecryptFailed", "TransactionRejected", "PaymentContention",
  "StoreUnavailable",
])
