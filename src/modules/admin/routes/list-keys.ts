import { Effect } from "effect"
import { Elysia, t } from "elysia"
import type { Respond } from "../../../platform/http/respond"
import { AppConfig } from "../../../platform/config/service"
import { inputFailures } from "../../../platform/http/failures"
import { NextCursor, pageOf, pageQuery } from "../page"
import { KeySchema, keyJson } from "../../keys/model"
import { limitsFor, type TierTable } from "../../../platform/tiers"
import type { KeyRow } from "../../../store/keys/repo"
import { adminResponder } from "../guard"
import { listAllKeys } from "../service"
import { security } from "../../../platform/http/security"

const failures = ["StoreUnavailable"] as const

const override = (description: string) => t.Union([t.Integer(), t.Null()], { description: `${description}; null = the tier's` })

export const AdminKey = t.Composite([
  KeySchema,
  t.Object({
    user_id: t.String({ description: "Owner" }),
    wallet_id: t.Union([t.String(), t.Null()], { description: "Pool wallet" }),
    overrides: t.Object(
      {
        rate_limit_per_minute: override("The key's own rate limit, calls per minute"),
        monthly_quota: override("The key's own monthly quota"),
        concurrency_limit: override("The key's own concurrency"),
        monthly_spend_cap_micro_usd: override("The key's own monthly spend cap, micro-USD"),
      },
      { description: "The limits set on the key itself (PATCH /admin/keys/{id}); `limits` is what applies" },
    ),
  }),
])

/** A key as the operator sees it: the public shape, its owner and wallet, and its own limit overrides. */
export const adminKeyJson = (r: KeyRow, tiers: TierTable) => ({
  ...keyJson(r, limitsFor(r, tiers)),
  user_id: r.userId,
  wallet_id: r.walletId,
  overrides: { rate_limit_per_minute: r.rateLimitPerMinute, monthly_quota: r.monthlyQuota, concurrency_limit: r.concurrencyLimit, monthly_spend_cap_micro_usd: r.monthlySpendCapMicroUsd },
})

export const listKeysAdminRoute = (respond: Respond) => {
  const admin = adminResponder(respond)
  return new Elysia().get(
    "/admin/keys",
    ({ request, query }) =>
      admin.respond(request, failures, Effect.flatMap(AppConfig, (config) => pageOf("keys", query, listAllKeys, (r) => adminKeyJson(r, config.tiers)))),
    {
      query: pageQuery(500),
      response: admin.documented({ 200: t.Object({ keys: t.Array(AdminKey), next: NextCursor }) }, failures, inputFailures),
      detail: { security: security.admin, operationId: "adminListKeys", tags: ["admin"], summary: "List all API keys (never the secrets)" },
    },
  )
}
