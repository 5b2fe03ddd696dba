import { Effect } from "effect"
import { Elysia, t } from "elysia"
import type { Respond } from "../../../platform/http/respond"
import { withProblems } from "../../../platform/http/problem"
import { NextCursor, nextCursor, pageQuery } from "../page"
import { Store } from "../../../store/store"
import { asAdmin } from "../guard"
import { PoolWallet, poolWalletJson } from "../pool-model"

const Query = pageQuery(1000)

export const listPoolRoute = (respond: Respond) =>
  new Elysia().get(
    "/admin/pool",
    ({ request, query }) => {
      const limit = query.limit ?? 100
      return respond(
        request,
        asAdmin(
          request,
          Effect.gen(function* () {
            const store = yield* Store
            const rows = yield* store.wallets.page(limit, query.after)
            return { wallets: rows.map(poolWalletJson), next: nextCursor(rows, limit) }
          }),
        ),
      )
    },
    {
      query: Query,
      response: withProblems({ 200: t.Object({ wallets: t.Array(PoolWallet), next: NextCursor }) }, [401, 422]),
      detail: { operationId: "adminListPool", tags: ["admin"], summary: "List pool wallets with balances, status and assigned keys (never a secret)" },
    },
  )
