import { Effect } from "effect"
import { Elysia, t } from "elysia"
import type { Respond } from "../../../platform/http/respond"
import { AppConfig } from "../../../platform/config/service"
import { inputFailures } from "../../../platform/http/failures"
import { NextCursor, pageOf, pageQuery } from "../page"
import { KeySchema, keyJson } from "../../keys/model"
import { limitsFor } from "../../../platform/tiers"
import { adminResponder } from "../guard"
import { listAllKeys } from "../service"
import { security } from "../../../platform/http/security"

const failures = ["StoreUnavailable"] as const

export const AdminKey = t.Composite([KeySchema, t.Object({ user_id: t.String({ description: "Owner" }), wallet_id: t.Union([t.String(), t.Null()], { description: "Pool wallet" }) })])

export const listKeysAdminRoute = (respond: Respond) => {
  const admin = adminResponder(respond)
  return new Elysia().get(
    "/admin/keys",
    ({ request, query }) =>
      admin.respond(request, failures, Effect.flatMap(AppConfig, (config) => pageOf("keys", query, listAllKeys, (r) => ({ ...keyJson(r, limitsFor(r, config.tiers)), user_id: r.userId, wallet_id: r.walletId })))),
    {
      query: pageQuery(500),
      response: admin.documented({ 200: t.Object({ keys: t.Array(AdminKey), next: NextCursor }) }, failures, inputFailures),
      detail: { security: security.admin, operationId: "adminListKeys", tags: ["admin"], summary: "List all API keys (never the secrets)" },
    },
  )
}
