import { Effect } from "effect"
import { Elysia, t } from "elysia"
import type { Respond } from "../../../platform/http/respond"
import { allOf, inputFailures } from "../../../platform/http/failures"
import { DEFAULT_DAYS, MAX_DAYS } from "../days"
import { DailySchema } from "../model"
import { usageDaily } from "../service"
import { viewerFailures, ViewerHeaders, viewerOf } from "../viewer"
import { security } from "../../../platform/http/security"

const failures = [...viewerFailures, "InvalidInput"] as const

const Query = t.Object({
  // Checked by the range parser, so a bad value is reported under its own name.
  from: t.Optional(t.String({ maxLength: 40, description: `First UTC day, YYYY-MM-DD (default: ${DEFAULT_DAYS - 1} days before to)` })),
  to: t.Optional(t.String({ maxLength: 40, description: `Last UTC day, YYYY-MM-DD, included (default: today); at most ${MAX_DAYS} days in all` })),
})

export const usageDailyRoute = (respond: Respond) =>
  new Elysia().get("/v1/usage/daily", ({ request, query }) => respond(request, failures, Effect.flatMap(viewerOf(request), (viewer) => usageDaily(viewer, query))), {
    query: Query,
    headers: ViewerHeaders,
    response: respond.documented({ 200: DailySchema }, allOf(failures, inputFailures)),
    detail: { security: security.keyOrSession, operationId: "usageDaily", tags: ["usage"], summary: "Settled calls and spend per UTC day and agent, from counters: an API key's own, or with a session every key of the user" },
  })
