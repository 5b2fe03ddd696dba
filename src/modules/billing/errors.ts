// Billing failures. Stripe's own errors are sorted once, in stripe-client.ts,
// into retry / indeterminate / fatal; nothing else looks at SDK error classes.
import { Data } from "effect"

export type StripeFailureKind =
  /** Nothing happened at Stripe (connection refused, rate limited, overloaded): retry. */
  | "retry"
  /** Stripe may or may not have acted (timeout, dropped reply, 500): retry only with the same idempotency key or identifier, or rely on webhooks. */
  | "indeterminate"
  /** Stripe refused the request as such (bad parameters, auth): retrying cannot help. */
  | "fatal"

export class StripeRequestFailed extends Data.TaggedError("StripeRequestFailed")<{
  readonly operation: string
  readonly kind: StripeFailureKind
  readonly status: number | undefined
  readonly code: string | undefined
  /** Stripe's own error type (`invalid_request_error`, `api_error`, …), when Stripe answered with an error object. */
  readonly errorType: string | undefined
  /** Stripe's message, for the log; never holds our key (SDK messages about keys are dropped). */
  readonly reason: string
  /** From a 429's Retry-After header, ms. */
  readonly retryAfterMs: number | undefined
}> {}

/** Stripe billing is off (STRIPE_SECRET_KEY unset). */
export class BillingDisabled extends Data.TaggedError("BillingDisabled")<{ readonly operation: string }> {}

/** The webhook endpoint has no signing secret configured. */
export class WebhookNotConfigured extends Data.TaggedError("WebhookNotConfigured")<{
  /** The setting that holds it (a name, never the secret). */
  readonly setting: "STRIPE_WEBHOOK_SECRET" | "STRIPE_THIN_WEBHOOK_SECRET"
}> {}

/** The delivery is not a genuine, fresh Stripe event (bad or missing signature, stale timestamp, not an event). */
export class WebhookRejected extends Data.TaggedError("WebhookRejected")<{ readonly reason: string }> {}

/** A verified card is needed first: for a free key's calls under REQUIRE_CARD_FOR_FREE, and to subscribe. */
export class CardRequired extends Data.TaggedError("CardRequired")<{ readonly reason: "free_tier_requires_card" | "subscription_requires_card" }> {}

/** Cancel was asked with no live subscription to cancel. */
export class NoSubscription extends Data.TaggedError("NoSubscription")<{}> {}
