// Verification of Stripe's deliveries against the raw body: snapshot events
// (the webhook endpoint, STRIPE_WEBHOOK_SECRET) and thin events (an event
// destination, STRIPE_THIN_WEBHOOK_SECRET). Each destination has its own
// signing secret; the scheme (Stripe-Signature: t=…,v1=HMAC-SHA256) is one.
// Signature time is checked against Effect's Clock, so tests can move it.
import { Clock, Effect } from "effect"
import type Stripe from "stripe"
import type { Config } from "../../platform/config/config"
import { WebhookNotConfigured, WebhookRejected } from "./errors"

/** Signature timestamps older than this are refused (Stripe's default), seconds. */
export const WEBHOOK_TOLERANCE_S = 300

/** A thin event as delivered: what happened and to which object, without the details. */
export type ThinEventNotification = {
  readonly id: string
  readonly type: string
  readonly relatedObject: { readonly id: string; readonly type: string } | undefined
}

const rejected = (reason: string) => new WebhookRejected({ reason })

/** How far ahead of our clock a signature's time may be (clock skew), seconds. */
export const WEBHOOK_FUTURE_TOLERANCE_S = 300

/**
 * The SDK refuses only signatures older than the tolerance; one dated days
 * ahead would pass, and a captured delivery stay replayable until then.
 */
const signedInTheFuture = (signature: string, receivedAtMs: number): boolean =>
  // Every `t=` item, read as the SDK reads it (any length; it keeps the last), so none can slip past.
  signature
    .split(",")
    .map((item) => item.trim().split("="))
    .some(([name, value]) => name === "t" && Number.parseInt(value ?? "", 10) > Math.floor(receivedAtMs / 1000) + WEBHOOK_FUTURE_TOLERANCE_S)

export const makeVerify = (config: Config, webhooks: Stripe["webhooks"]) => (rawBody: string, signature: string | null): Effect.Effect<Stripe.Event, WebhookRejected | WebhookNotConfigured> =>
  Effect.gen(function* () {
    const secret = config.stripeWebhookSecret
    if (!secret) return yield* new WebhookNotConfigured({ setting: "STRIPE_WEBHOOK_SECRET" })
    if (!signature) return yield* rejected("the Stripe-Signature header is missing")
    const receivedAt = yield* Clock.currentTimeMillis
    if (signedInTheFuture(signature, receivedAt)) return yield* rejected("the signature timestamp is in the future, outside the tolerance")
    const event = yield* Effect.tryPromise({
      try: () => webhooks.constructEventAsync(rawBody, signature, secret, WEBHOOK_TOLERANCE_S, undefined, receivedAt),
      catch: (e) => rejected(/tolerance/i.test((e as Error).message ?? "") ? "the signature timestamp is outside the tolerance" : "the signature does not match the body"),
    })
    if (typeof event !== "object" || event === null || typeof event.id !== "string" || typeof event.type !== "string" || typeof event.data?.object !== "object")
      return yield* rejected("the body is not a Stripe event")
    return event
  })

export const makeVerifyThin = (config: Config, stripe: Stripe) => (rawBody: string, signature: string | null): Effect.Effect<ThinEventNotification, WebhookRejected | WebhookNotConfigured> =>
  Effect.gen(function* () {
    const secret = config.stripeThinWebhookSecret
    if (!secret) return yield* new WebhookNotConfigured({ setting: "STRIPE_THIN_WEBHOOK_SECRET" })
    if (!signature) return yield* rejected("the Stripe-Signature header is missing")
    const receivedAt = yield* Clock.currentTimeMillis
    if (signedInTheFuture(signature, receivedAt)) return yield* rejected("the signature timestamp is in the future, outside the tolerance")
    const n = yield* Effect.tryPromise({
      try: () => stripe.parseEventNotificationAsync(rawBody, signature, secret, WEBHOOK_TOLERANCE_S, undefined, receivedAt),
      catch: (e) => {
        const err = e as { type?: string; message?: string }
        if (err.type !== "StripeSignatureVerificationError") return rejected("the body is not a Stripe thin event notification")
        return rejected(/tolerance/i.test(err.message ?? "") ? "the signature timestamp is outside the tolerance" : "the signature does not match the body")
      },
    })
    const raw = n as unknown as { id?: unknown; type?: unknown; related_object?: { id?: unknown; type?: unknown } | null }
    if (typeof raw.id !== "string" || typeof raw.type !== "string") return yield* rejected("the body is not a Stripe thin event notification")
    const related = raw.related_object
    return {
      id: raw.id,
      type: raw.type,
      relatedObject: related && typeof related.id === "string" && typeof related.type === "string" ? { id: related.id, type: related.type } : undefined,
    }
  })

