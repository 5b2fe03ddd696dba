import { Effect } from "effect"
import { Elysia, t } from "elysia"
import type { Respond } from "../../../platform/http/respond"
import { inputFailures } from "../../../platform/http/failures"
import { NextCursor, pageOf, pageQuery } from "../page"
import { Store } from "../../../store/store"
import { adminResponder } from "../guard"
import { PoolWallet, poolWalletJson } from "../pool-model"
import { security } from "../../../platform/http/security"

const failures = ["StoreUnavailable"] as const

const Query = pageQuery(1000)

export const listPoolRoute = (respond: Respond) => {
  const admin = adminResponder(respond)
  return new Elysia().get(
    "/admin/pool",
    ({ request, query }) =>
      admin.respond(
        request,
        failures,
        Effect.gen(function* () {
          const store = yield* Store
          const page = yield* pageOf("wallets", query, store.wallets.page, (w) => w)
          const holders = yield* store.wallets.storageHolders(page.wallets.map((w) => w.id))
          return { wallets: page.wallets.map((w) => poolWalletJson(w, holders.get(w.id) ?? 0)), next: page.next }
        }),
      ),
    {
      query: Query,
      response: admin.documented({ 200: t.Object({ wallets: t.Array(PoolWallet), next: NextCursor }) }, failures, inputFailures),
      detail: { security: security.admin, operationId: "adminListPool", tags: ["admin"], summary: "List pool wallets with balances, status and assigned keys (never a secret)" },
    },
  )
}
