import { Effect } from "effect"
import { Elysia, t } from "elysia"
import type { Respond } from "../../../platform/http/respond"
import { AppConfig } from "../../../platform/config/service"
import { bodyFailures, inputFailures } from "../../../platform/http/failures"
import { adminResponder, type AdminResponder } from "../guard"
import { MAX_LIMIT_PER_MINUTE } from "../../../platform/tiers"
import { updateKey } from "../service"
import { AdminKey, adminKeyJson } from "./list-keys"
import { security } from "../../../platform/http/security"

const failures = ["KeyNotFound", "StoreUnavailable"] as const

const nullableInt = (description: string, bounds: { readonly minimum: number; readonly maximum: number } = { minimum: 0, maximum: 1_000_000_000_000 }) =>
  t.Optional(t.Union([t.Integer(bounds), t.Null()], { description }))

const Body = t.Object({
  tier: t.Optional(t.Union([t.Literal("free"), t.Literal("paid"), t.Literal("pro"), t.Literal("enterprise")], { description: "New tier" })),
  rate_limit_per_minute: nullableInt(`Per-key rate limit, calls per minute (1 to ${MAX_LIMIT_PER_MINUTE}); null = the tier's`, { minimum: 1, maximum: MAX_LIMIT_PER_MINUTE }),
  monthly_quota: nullableInt("Per-key monthly call quota; null = the tier's"),
  concurrency_limit: nullableInt("Per-key concurrency; null = the tier's"),
  monthly_spend_cap_micro_usd: nullableInt("Per-key monthly spend cap, micro-USD; null = the tier's"),
})

const SuspendBody = t.Object({ reason: t.String({ minLength: 1, maxLength: 200, description: "Why; shown to the key's caller" }) })

const respondWithKey = (admin: AdminResponder, request: Request, program: ReturnType<typeof updateKey>) =>
  admin.respond(
    request,
    failures,
    Effect.gen(function* () {
      const config = yield* AppConfig
      const r = yield* program
      return adminKeyJson(r, config.tiers)
    }),
  )

const Params = t.Object({ id: t.String({ maxLength: 64, description: "Key id" }) })

export const updateKeyRoutes = (respond: Respond) => {
  const admin = adminResponder(respond)
  return new Elysia()
    .patch(
      "/admin/keys/:id",
      ({ request, params, body }) =>
        respondWithKey(
          admin,
          request,
          updateKey(params.id, {
            tier: body.tier,
            rateLimitPerMinute: body.rate_limit_per_minute,
            monthlyQuota: body.monthly_quota,
            concurrencyLimit: body.concurrency_limit,
            monthlySpendCapMicroUsd: body.monthly_spend_cap_micro_usd,
          }),
        ),
      {
        params: Params,
        parse: "json",
        body: Body,
        response: admin.documented({ 200: AdminKey }, failures, bodyFailures, inputFailures),
        detail: { security: security.admin, operationId: "adminUpdateKey", tags: ["admin"], summary: "Change a key's tier and limits" },
      },
    )
    .post("/admin/keys/:id/suspend", ({ request, params, body }) => respondWithKey(admin, request, updateKey(params.id, { status: "suspended", statusReason: body.reason })), {
      params: Params,
      parse: "json",
      body: SuspendBody,
      response: admin.documented({ 200: AdminKey }, failures, bodyFailures, inputFailures),
      detail: { security: security.admin, operationId: "adminSuspendKey", tags: ["admin"], summary: "Suspend a key with a reason (calls get 403)" },
    })
    .post("/admin/keys/:id/reinstate", ({ request, params }) => respondWithKey(admin, request, updateKey(params.id, { status: "active", statusReason: null })), {
      params: Params,
      response: admin.documented({ 200: AdminKey }, failures, bodyFailures, inputFailures),
      detail: { security: security.admin, operationId: "adminReinstateKey", tags: ["admin"], summary: "Reinstate a suspended key" },
    })
}
