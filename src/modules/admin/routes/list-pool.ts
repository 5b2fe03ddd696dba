import { Effect } from "effect"
import { Elysia, t } from "elysia"
import type { Respond } from "../../../platform/http/respond"
import { allOf, inputFailures } from "../../../platform/http/failures"
import { adminFailures } from "../failures"
import { NextCursor, pageOf, pageQuery } from "../page"
import { Store } from "../../../store/store"
import { asAdmin } from "../guard"
import { PoolWallet, poolWalletJson } from "../pool-model"

const failures = [...adminFailures, "StoreUnavailable"] as const

const Query = pageQuery(1000)

export const listPoolRoute = (respond: Respond) =>
  new Elysia().get(
    "/admin/pool",
    ({ request, query }) => respond(request, failures, asAdmin(request, Effect.flatMap(Store, (store) => pageOf("wallets", query, store.wallets.page, poolWalletJson)))),
    {
      query: Query,
      response: respond.documented({ 200: t.Object({ wallets: t.Array(PoolWallet), next: NextCursor }) }, allOf(failures, inputFailures)),
      detail: { operationId: "adminListPool", tags: ["admin"], summary: "List pool wallets with balances, status and assigned keys (never a secret)" },
    },
  )
