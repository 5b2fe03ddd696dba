import { Elysia } from "elysia"
import type { Respond } from "../../../platform/http/respond"
import { allOf } from "../../../platform/http/failures"
import { adminFailures } from "../failures"
import { checkBalances } from "../../pool/balances"
import { asAdmin } from "../guard"
import { BalanceCheck } from "../pool-model"

const failures = [...adminFailures, "StoreUnavailable"] as const

// Runs without the job lock: a check racing the hourly one only reads twice.
export const checkPoolRoute = (respond: Respond) =>
  new Elysia().post("/admin/pool/check", ({ request }) => respond(request, failures, asAdmin(request, checkBalances())), {
    response: respond.documented({ 200: BalanceCheck }, allOf(failures)),
    detail: { operationId: "adminCheckPool", tags: ["admin"], summary: "Read every pool wallet's balances now and update statuses" },
  })
