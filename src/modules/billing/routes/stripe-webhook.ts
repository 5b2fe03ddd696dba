import { Elysia, t } from "elysia"
import type { Respond } from "../../../platform/http/respond"
import { allOf, bodyFailures } from "../../../platform/http/failures"
import { rawBodyOf } from "../../../platform/http/raw-body"
import { receiveStripeWebhook } from "../service"
import { security } from "../../../platform/http/security"

const failures = ["WebhookNotConfigured", "WebhookRejected", "StoreUnavailable"] as const

export const StripeWebhookReceived = t.Object({
  received: t.Literal(true, { description: "The delivery was genuine and is acknowledged" }),
  event_id: t.String({ description: "Stripe event id" }),
  outcome: t.Union([t.Literal("applied"), t.Literal("duplicate"), t.Literal("ignored"), t.Literal("unknown_customer"), t.Literal("stale"), t.Literal("malformed")], {
    description:
      "applied now; duplicate (already processed, nothing changed); ignored (event type not handled); unknown_customer (no user has this Stripe customer); " +
      "stale (a newer event already set the state it would change: Stripe does not deliver in order); malformed (genuine, but its object cannot be read: recorded, nothing changed, logged for the operator)",
  }),
})

/**
 * Stripe's webhook deliveries. The signature covers the raw body, which the
 * edge parser keeps for us (rawBodyOf); the parsed body is not used.
 */
export const stripeWebhook = (respond: Respond) =>
  new Elysia().post(
    "/v1/webhooks/stripe",
    ({ request }) => respond(request, failures, receiveStripeWebhook(rawBodyOf(request), request.headers.get("stripe-signature"))),
    {
      response: respond.documented({ 200: StripeWebhookReceived }, allOf(failures, bodyFailures)),
      detail: { security: security.none, operationId: "stripe-webhook", tags: ["billing"], summary: "Receive a Stripe webhook event (signed with STRIPE_WEBHOOK_SECRET)" },
    },
  )
