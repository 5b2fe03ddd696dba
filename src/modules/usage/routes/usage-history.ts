import { Effect } from "effect"
import { Elysia, t } from "elysia"
import type { Respond } from "../../../platform/http/respond"
import { allOf, inputFailures } from "../../../platform/http/failures"
import { MAX_LIMIT } from "../filters"
import { HistorySchema } from "../model"
import { usageHistory } from "../service"
import { viewerFailures, ViewerHeaders, viewerOf } from "../viewer"
import { security } from "../../../platform/http/security"

const failures = [...viewerFailures, "InvalidInput"] as const

const Query = t.Object({
  from: t.Optional(t.String({ maxLength: 40, description: "Only calls started at or after this ISO time" })),
  to: t.Optional(t.String({ maxLength: 40, description: "Only calls started before this ISO time" })),
  agent: t.Optional(t.String({ maxLength: 100, description: "Only calls to this agent (UUID or alias)" })),
  // Checked by the filter parser, so a bad value is reported under its own name.
  limit: t.Optional(t.String({ maxLength: 10, description: `Rows per page, 1–${MAX_LIMIT} (default 50)` })),
  before: t.Optional(t.String({ maxLength: 64, description: "Cursor: the `next` value of the previous page" })),
})

export const usageHistoryRoute = (respond: Respond) =>
  new Elysia().get("/v1/usage/history", ({ request, query }) => respond(request, failures, Effect.flatMap(viewerOf(request), (viewer) => usageHistory(viewer, query))), {
    query: Query,
    headers: ViewerHeaders,
    response: respond.documented({ 200: HistorySchema }, allOf(failures, inputFailures)),
    detail: { security: security.keyOrSession, operationId: "usageHistory", tags: ["usage"], summary: "Calls and what each cost, newest first: an API key's own, or with a session every key of the user" },
  })
