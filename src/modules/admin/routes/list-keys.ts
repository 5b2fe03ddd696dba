import { Effect } from "effect"
import { Elysia, t } from "elysia"
import type { Respond } from "../../../platform/http/respond"
import { AppConfig } from "../../../platform/config/service"
import { withProblems } from "../../../platform/http/problem"
import { NextCursor, nextCursor, pageQuery } from "../page"
import { KeySchema, keyJson } from "../../keys/model"
import { limitsFor } from "../../../platform/tiers"
import { asAdmin } from "../guard"
import { listAllKeys } from "../service"

export const AdminKey = t.Composite([KeySchema, t.Object({ user_id: t.String({ description: "Owner" }), wallet_id: t.Union([t.String(), t.Null()], { description: "Pool wallet" }) })])

export const listKeysAdminRoute = (respond: Respond) =>
  new Elysia().get(
    "/admin/keys",
    ({ request, query }) => {
      const limit = query.limit ?? 100
      return respond(
        request,
        asAdmin(
          request,
          Effect.gen(function* () {
            const config = yield* AppConfig
            const rows = yield* listAllKeys(limit, query.after)
            return {
              keys: rows.map((r) => ({ ...keyJson(r, limitsFor(r, config.tiers)), user_id: r.userId, wallet_id: r.walletId })),
              next: nextCursor(rows, limit),
            }
          }),
        ),
      )
    },
    {
      query: pageQuery(500),
      response: withProblems({ 200: t.Object({ keys: t.Array(AdminKey), next: NextCursor }) }, [401, 422]),
      detail: { operationId: "adminListKeys", tags: ["admin"], summary: "List all API keys (never the secrets)" },
    },
  )
