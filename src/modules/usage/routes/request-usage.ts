import { Effect } from "effect"
import { Elysia, t } from "elysia"
import type { Respond } from "../../../platform/http/respond"
import { allOf, inputFailures } from "../../../platform/http/failures"
import { RequestUsageSchema } from "../model"
import { usageRequest } from "../service"
import { viewerFailures, ViewerHeaders, viewerOf } from "../viewer"
import { security } from "../../../platform/http/security"

const failures = [...viewerFailures, "UsageRequestNotFound"] as const

// The ids platform/http/request-id.ts accepts from a caller's X-Request-Id
// (its own are req_…): anything else was never stored, so it is a 422, not a lookup.
const Params = t.Object({
  request_id: t.String({ minLength: 1, maxLength: 128, pattern: "^[A-Za-z0-9._:-]+$", description: "The `usage.request_id` of the call's answer (its X-Request-Id)" }),
})

export const requestUsageRoute = (respond: Respond) =>
  new Elysia().get("/v1/usage/requests/:request_id", ({ request, params }) => respond(request, failures, Effect.flatMap(viewerOf(request), (viewer) => usageRequest(viewer, params.request_id))), {
    params: Params,
    headers: ViewerHeaders,
    response: respond.documented({ 200: RequestUsageSchema }, allOf(failures, inputFailures)),
    detail: {
      security: security.keyOrSession,
      operationId: "usageRequest",
      tags: ["usage"],
      summary: "One call by its request id: what it cost, its state, receipt and latency. An API key sees its own calls, a session every key of the user; anything else is 404",
    },
  })
