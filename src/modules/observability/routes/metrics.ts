// GET /metrics for Prometheus, behind METRICS_TOKEN (absent when unset).
import { Effect } from "effect"
import { Elysia, t } from "elysia"
import { AppConfig } from "../../../platform/config/service"
import type { Respond } from "../../../platform/http/respond"
import { security } from "../../../platform/http/security"
import { tokenMatches } from "../../admin/guard"
import { bearerToken } from "../../keys/verifier"
import { MetricsUnauthorized } from "../errors"
import { scrape } from "../scrape"

const failures = ["MetricsUnauthorized", "StoreUnavailable"] as const

export const metricsRoute = (respond: Respond) =>
  new Elysia().get(
    "/metrics",
    ({ request }) =>
      respond(
        request,
        failures,
        Effect.gen(function* () {
          const config = yield* AppConfig
          if (config.metricsToken === undefined || !tokenMatches(bearerToken(request.headers.get("authorization")), config.metricsToken)) return yield* new MetricsUnauthorized()
          const text = yield* scrape()
          return new Response(text, { headers: { "content-type": "text/plain; version=0.0.4; charset=utf-8", "cache-control": "no-store" } })
        }),
      ),
    {
      response: respond.documented({ 200: t.String({ description: "Prometheus text exposition format (0.0.4)" }) }, failures),
      detail: { security: security.metrics, operationId: "metrics", tags: ["operations"], summary: "Prometheus metrics: calls, durations, spend, limit refusals, usage rows, the Stripe outbox, Stripe and marketplace requests, pool balances" },
    },
  )
