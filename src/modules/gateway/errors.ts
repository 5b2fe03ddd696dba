import { Data } from "effect"

export class QuotaExhausted extends Data.TaggedError("QuotaExhausted")<{ readonly limit: number; readonly used: number; readonly period: string }> {}
export class SpendCapReached extends Data.TaggedError("SpendCapReached")<{ readonly capMicroUsd: number; readonly spentMicroUsd: number; readonly priceMicroUsd: number }> {}
export class UnknownAgentAlias extends Data.TaggedError("UnknownAgentAlias")<{ readonly ref: string }> {}
export class IdempotencyKeyReused extends Data.TaggedError("IdempotencyKeyReused")<{}> {}
export class IdempotencyInFlight extends Data.TaggedError("IdempotencyInFlight")<{}> {}
export class IdempotencyKeyInvalid extends Data.TaggedError("IdempotencyKeyInvalid")<{}> {}
