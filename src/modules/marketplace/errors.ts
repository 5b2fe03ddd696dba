// Every way a marketplace request can fail, as the gateway must act on it.
// `upstream` fields hold the platform's own error text, already truncated and
// scrubbed (see sanitize.ts): useful to the developer, never a secret.
import { Data } from "effect"

/** The agent does not exist, or its id is not a UUID (which can name no agent). */
export class AgentNotFound extends Data.TaggedError("AgentNotFound")<{
  readonly agentId: string
  readonly reason: "malformed_id" | "unknown"
}> {}

/** The platform rejected the input against the agent's input schema (before any payment). */
export class AgentInputInvalid extends Data.TaggedError("AgentInputInvalid")<{
  readonly agentId: string | undefined
  readonly upstream: string
}> {}

/** Simulation found the paying pool wallet short of funds: an operator problem, not the developer's. */
export class PayerLacksFunds extends Data.TaggedError("PayerLacksFunds")<{ readonly upstream: string }> {}

/** The agent did not answer within the platform's limit. */
export class AgentTimedOut extends Data.TaggedError("AgentTimedOut")<{
  readonly paymentIntentId: string | undefined
  readonly upstream: string
}> {}

/** The agent answered with output that fails its own output schema. */
export class AgentOutputInvalid extends Data.TaggedError("AgentOutputInvalid")<{
  readonly paymentIntentId: string | undefined
  readonly upstream: string
}> {}

/** The agent is private and the pool wallet is not allowed to call it. */
export class AgentPrivate extends Data.TaggedError("AgentPrivate")<{
  readonly agentId: string | undefined
  readonly upstream: string
}> {}

/** The payment intent expired between build and submit; nothing was paid. */
export class PaymentIntentExpired extends Data.TaggedError("PaymentIntentExpired")<{
  readonly paymentIntentId: string | undefined
  readonly upstream: string
}> {}

/** The platform has no such receipt (yet): the payment is not known to have settled. */
export class ReceiptNotFound extends Data.TaggedError("ReceiptNotFound")<{ readonly receiptId: string }> {}

/**
 * No connection to the marketplace. `sent` is false only when the failure
 * proves no byte reached it (connection refused, name not resolved), which is
 * what lets a failed submit be treated as "not paid".
 */
export class MarketplaceUnreachable extends Data.TaggedError("MarketplaceUnreachable")<{
  readonly operation: string
  readonly reason: string
  readonly sent: boolean
}> {}

/** A read or build got no answer in time (after its retries). */
export class MarketplaceTimedOut extends Data.TaggedError("MarketplaceTimedOut")<{
  readonly operation: string
  readonly timeoutMs: number
}> {}

/** The answer was not the protocol's JSON (an HTML error page, an empty body, a wrong shape). */
export class MarketplaceBadResponse extends Data.TaggedError("MarketplaceBadResponse")<{
  readonly operation: string
  readonly status: number
  readonly reason: string
}> {}

/** Any other refusal by the platform. */
export class MarketplaceRefused extends Data.TaggedError("MarketplaceRefused")<{
  readonly operation: string
  readonly status: number
  readonly upstream: string
}> {}

/**
 * A submit whose outcome we cannot know: it was sent and the answer was lost
 * (timeout, dropped connection, a proxy's error page), or the intent was
 * already used. The payment may have settled; the caller marks the usage row
 * `unknown` and resolves it later from the receipt or the transaction
 * signature, which is known before sending.
 */
export class CallOutcomeUnknown extends Data.TaggedError("CallOutcomeUnknown")<{
  readonly paymentIntentId: string
  /** base58 id of the signed transaction (its first signature), when it could be read. */
  readonly txSignature: string | undefined
  readonly reason: string
}> {}

export type MarketplaceError =
  | AgentNotFound
  | AgentInputInvalid
  | PayerLacksFunds
  | AgentTimedOut
  | AgentOutputInvalid
  | AgentPrivate
  | PaymentIntentExpired
  | ReceiptNotFound
  | MarketplaceUnreachable
  | MarketplaceTimedOut
  | MarketplaceBadResponse
  | MarketplaceRefused
  | CallOutcomeUnknown

/** Failures a read or build may retry: the same request may well succeed a moment later. */
export const isTransient = (e: MarketplaceError): boolean => {
  switch (e._tag) {
    case "MarketplaceUnreachable":
    case "MarketplaceTimedOut":
    case "MarketplaceBadResponse":
      return true
    case "MarketplaceRefused":
      return e.status >= 500 || e.status === 429
    default:
      return false
  }
}

/**
 * Whether a failed submit may still have moved money. The platform may submit
 * the payment before it runs the agent, so an agent timeout or invalid output
 * can follow a payment (escrow versions may refund; the client cannot tell).
 * Those, and an unknown outcome, must be reconciled before the usage row is
 * failed; every other refusal happened before the transaction was sent.
 */
export const mayHaveSettled = (e: { readonly _tag: string }): boolean =>
  e._tag === "CallOutcomeUnknown" || e._tag === "AgentTimedOut" || e._tag === "AgentOutputInvalid"
