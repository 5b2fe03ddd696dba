// POST/GET/DELETE /v1/webhook-endpoints: a signed-in user's webhook endpoints.
import { Effect } from "effect"
import { Elysia, t } from "elysia"
import { bodyFailures, inputFailures } from "../../../platform/http/failures"
import type { Respond } from "../../../platform/http/respond"
import { security } from "../../../platform/http/security"
import { signedInResponder } from "../../auth/session-guard"
import { EVENT_TYPES } from "../events"
import { createEndpoint, deleteEndpoint, listEndpoints } from "../service"

const iso = (ms: number) => new Date(ms).toISOString()

const EventTypes = t.Array(t.String({ maxLength: 64 }), { maxItems: 16, description: `Event types to receive: ${EVENT_TYPES.join(", ")}; ["*"] or none for all` })

const Endpoint = t.Object({
  id: t.String({ description: "Endpoint id (whe_…)" }),
  url: t.String({ description: "Where events are posted" }),
  events: t.Array(t.String(), { description: "Event types it receives (* for all)" }),
  created_at: t.String({ description: "ISO time" }),
})

const Delivery = t.Object({
  event_id: t.String({ description: "The event's id (the `id` in its body)" }),
  type: t.String(),
  state: t.Union([t.Literal("pending"), t.Literal("delivered"), t.Literal("failed")], { description: "pending (queued or retrying), delivered (2xx), failed (given up)" }),
  attempts: t.Integer(),
  last_status: t.Union([t.Integer(), t.Null()], { description: "HTTP status of the last attempt; null when it got no answer" }),
  created_at: t.String({ description: "ISO time the event was queued" }),
})

const failures = ["StoreUnavailable"] as const
const createFailures = ["StoreUnavailable", "InvalidInput", "WebhookEndpointLimit"] as const
const deleteFailures = ["StoreUnavailable", "WebhookEndpointNotFound"] as const

export const webhookEndpointRoutes = (respond: Respond) => {
  const signedIn = signedInResponder(respond)
  return new Elysia()
    .post(
      "/v1/webhook-endpoints",
      ({ request, body }) =>
        signedIn.respond(request, createFailures, (user) =>
          Effect.map(createEndpoint(user.id, body.url, body.events), (e) => ({ id: e.id, url: e.url, events: [...e.events], created_at: iso(e.createdAt), secret: e.secret })),
        { status: 201, headers: { "cache-control": "no-store" } }),
      {
        parse: "json",
        body: t.Object({ url: t.String({ minLength: 1, maxLength: 2000, description: "https URL to post events to" }), events: t.Optional(EventTypes) }),
        response: signedIn.documented({ 201: t.Composite([Endpoint, t.Object({ secret: t.String({ description: "Signing secret (whsec_…): verify each post's TDK-Signature with it. Shown once." }) })]) }, createFailures, bodyFailures),
        detail: { security: security.session, operationId: "createWebhookEndpoint", tags: ["webhooks"], summary: "Register a webhook endpoint; its signing secret is shown once" },
      },
    )
    .get(
      "/v1/webhook-endpoints",
      ({ request }) =>
        signedIn.respond(request, failures, (user) =>
          Effect.map(listEndpoints(user.id), (rows) => ({
            endpoints: rows.map(({ endpoint: e, deliveries }) => ({
              id: e.id,
              url: e.url,
              events: [...e.events],
              created_at: iso(e.createdAt),
              recent_deliveries: deliveries.map((d) => ({ event_id: d.eventId, type: d.type, state: d.state, attempts: d.attempts, last_status: d.lastStatus, created_at: iso(d.createdAt) })),
            })),
          })),
        ),
      {
        response: signedIn.documented({ 200: t.Object({ endpoints: t.Array(t.Composite([Endpoint, t.Object({ recent_deliveries: t.Array(Delivery, { description: "The last 10, newest first" }) })])) }) }, failures),
        detail: { security: security.session, operationId: "listWebhookEndpoints", tags: ["webhooks"], summary: "Your webhook endpoints (never their secrets) and their recent deliveries" },
      },
    )
    .delete(
      "/v1/webhook-endpoints/:id",
      ({ request, params }) => signedIn.respond(request, deleteFailures, (user) => Effect.as(deleteEndpoint(user.id, params.id), { deleted: true as const })),
      {
        params: t.Object({ id: t.String({ maxLength: 64 }) }),
        response: signedIn.documented({ 200: t.Object({ deleted: t.Literal(true) }) }, deleteFailures, inputFailures),
        detail: { security: security.session, operationId: "deleteWebhookEndpoint", tags: ["webhooks"], summary: "Delete a webhook endpoint; its undelivered events are dropped" },
      },
    )
}
