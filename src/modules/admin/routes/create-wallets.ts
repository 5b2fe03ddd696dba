import { Effect } from "effect"
import { Elysia, t } from "elysia"
import type { Respond } from "../../../platform/http/respond"
import { bodyFailures } from "../../../platform/http/failures"
import { Store } from "../../../store/store"
import { generateWallets } from "../../pool/service"
import { adminResponder } from "../guard"
import { PoolWallet, poolWalletJson } from "../pool-model"
import { security } from "../../../platform/http/security"

const failures = ["StoreUnavailable"] as const

// Bounded so one request stays short; `tdk pool generate` takes larger counts.
const MAX = 1000

const Body = t.Object({ count: t.Integer({ minimum: 1, maximum: MAX, description: `Wallets to create (1 to ${MAX})` }) })

export const createWalletsRoute = (respond: Respond) => {
  const admin = adminResponder(respond)
  return new Elysia().post(
    "/admin/pool/wallets",
    ({ request, body }) =>
      admin.respond(request, failures, Effect.gen(function* () {
          const store = yield* Store
          const ids = new Set(yield* generateWallets(body.count))
          const rows = (yield* store.wallets.list()).filter((w) => ids.has(w.id))
          return { wallets: rows.map((w) => poolWalletJson(w)) }
        }),
      { status: 201 }),
    {
      parse: "json",
      body: Body,
      response: admin.documented({ 201: t.Object({ wallets: t.Array(PoolWallet, { description: "The new wallets (unfunded until their first check after a refill)" }) }) }, failures, bodyFailures),
      detail: { security: security.admin, operationId: "adminCreateWallets", tags: ["admin"], summary: "Create pool wallets, secrets sealed under the primary master key" },
    },
  )
}
