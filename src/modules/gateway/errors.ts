import { Data } from "effect"

export class QuotaExhausted extends Data.TaggedError("QuotaExhausted")<{ readonly limit: number; readonly used: number; readonly period: string }> {}
export class SpendCapReached extends Data.TaggedError("SpendCapReached")<{ readonly capMicroUsd: number; readonly spentMicroUsd: number; readonly priceMicroUsd: number }> {}
export class UnknownAgentAlias extends Data.TaggedError("UnknownAgentAlias")<{ readonly ref: string }> {}
export class IdempotencyKeyReused extends Data.TaggedError("IdempotencyKeyReused")<{}> {}
export class IdempotencyInFlight extends Data.TaggedError("IdempotencyInFlight")<{}> {}
export class IdempotencyKeyInvalid extends Data.TaggedError("IdempotencyKeyInvalid")<{}> {}
/**
 * No payment of its own could be made for the call: every wallet that may pay
 * it already has a payment to this agent under the current blockhash (the
 * chain would process the same message once), or the reservation was
 * abandoned. Nothing was paid; retrying shortly succeeds.
 */
export class PaymentContention extends Data.TaggedError("PaymentContention")<{ readonly reason: "no_distinct_payment" | "reservation_abandoned" }> {}
