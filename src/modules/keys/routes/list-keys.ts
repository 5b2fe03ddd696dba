import { Effect } from "effect"
import { Elysia, t } from "elysia"
import type { Respond } from "../../../platform/http/respond"
import { AppConfig } from "../../../platform/config/service"
import { KeySchema, keyJson } from "../model"
import { signedInResponder } from "../../auth/session-guard"
import { listKeys } from "../service"
import { limitsFor } from "../../../platform/tiers"
import { security } from "../../../platform/http/security"

const failures = ["StoreUnavailable"] as const

const Listed = t.Object({
  keys: t.Array(
    t.Composite([
      KeySchema,
      t.Object({
        ops_this_month: t.Integer({ description: "Agent calls this calendar month (UTC), as the quota counts them" }),
        spend_this_month_micro_usd: t.Integer({ description: "Their cost this month, micro-USD, as the spend cap counts it" }),
      }),
    ]),
  ),
})

export const listKeysRoute = (respond: Respond) => {
  const signedIn = signedInResponder(respond)
  return new Elysia().get(
    "/v1/keys",
    ({ request }) =>
      signedIn.respond(request, failures, (user) =>
        Effect.gen(function* () {
          const config = yield* AppConfig
          const rows = yield* listKeys(user.id)
          return {
            keys: rows.map((r) => ({ ...keyJson(r, limitsFor(r, config.tiers)), ops_this_month: r.opsThisMonth, spend_this_month_micro_usd: r.spendThisMonthMicroUsd })),
          }
        })),
    {
      response: signedIn.documented({ 200: Listed }, failures),
      detail: { security: security.session, operationId: "listKeys", tags: ["keys"], summary: "List your API keys (never the secrets)" },
    },
  )
}
