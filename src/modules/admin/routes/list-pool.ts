import { Effect } from "effect"
import { Elysia, t } from "elysia"
import type { Respond } from "../../../platform/http/respond"
import { withProblems } from "../../../platform/http/problem"
import { NextCursor, pageOf, pageQuery } from "../page"
import { Store } from "../../../store/store"
import { asAdmin } from "../guard"
import { PoolWallet, poolWalletJson } from "../pool-model"

const Query = pageQuery(1000)

export const listPoolRoute = (respond: Respond) =>
  new Elysia().get(
    "/admin/pool",
    ({ request, query }) => respond(request, asAdmin(request, Effect.flatMap(Store, (store) => pageOf("wallets", query, store.wallets.page, poolWalletJson)))),
    {
      query: Query,
      response: withProblems({ 200: t.Object({ wallets: t.Array(PoolWallet), next: NextCursor }) }, [401, 422]),
      detail: { operationId: "adminListPool", tags: ["admin"], summary: "List pool wallets with balances, status and assigned keys (never a secret)" },
    },
  )
