import { Elysia, t } from "elysia"
import type { Respond } from "../../../platform/http/respond"
import { allOf, bodyFailures } from "../../../platform/http/failures"
import { rawBodyOf } from "../../../platform/http/raw-body"
import { receiveStripeThinEvent } from "../thin-events"
import { security } from "../../../platform/http/security"

const failures = ["BillingDisabled", "WebhookNotConfigured", "WebhookRejected", "StripeRequestFailed", "StoreUnavailable"] as const

export const StripeThinEventReceived = t.Object({
  received: t.Literal(true, { description: "The delivery was genuine and is acknowledged" }),
  event_id: t.String({ description: "Stripe event id (evt_…)" }),
  outcome: t.Union([t.Literal("applied"), t.Literal("duplicate"), t.Literal("ignored"), t.Literal("malformed"), t.Literal("foreign_meter")], {
    description:
      "applied now; duplicate (already processed, nothing changed); ignored (event type not handled); malformed (genuine, but the event Stripe serves cannot be read: recorded, logged for the operator); " +
      "foreign_meter (a report about a meter other than STRIPE_METER_ID)",
  }),
  flagged_rows: t.Optional(t.Integer({ description: "Usage rows the report named that are now flagged for the operator" })),
  unattributed_errors: t.Optional(t.Integer({ description: "Errors in the report that name no usage row of ours (shown by the reconciliation)" })),
})

/**
 * Stripe's thin-event deliveries from an event destination, signed with that
 * destination's own secret. The notification carries ids only; the event is
 * read back from Stripe (so a Stripe outage answers 502/503 and Stripe
 * redelivers later).
 */
export const stripeThinWebhook = (respond: Respond) =>
  new Elysia().post(
    "/v1/webhooks/stripe/thin",
    ({ request }) => respond(request, failures, receiveStripeThinEvent(rawBodyOf(request), request.headers.get("stripe-signature"))),
    {
      response: respond.documented({ 200: StripeThinEventReceived }, allOf(failures, bodyFailures)),
      detail: {
        security: security.none,
        operationId: "stripe-thin-webhook",
        tags: ["billing"],
        summary: "Receive a Stripe thin event (meter error reports; signed with STRIPE_THIN_WEBHOOK_SECRET)",
      },
    },
  )
