import { Elysia } from "elysia"
import { bodyFailures } from "../../../platform/http/failures"
import type { Respond } from "../../../platform/http/respond"
import { checkBalances } from "../../pool/balances"
import { adminResponder } from "../guard"
import { BalanceCheck } from "../pool-model"
import { security } from "../../../platform/http/security"

const failures = ["StoreUnavailable"] as const

// Runs without the job lock: a check racing the hourly one only reads twice.
export const checkPoolRoute = (respond: Respond) => {
  const admin = adminResponder(respond)
  return new Elysia().post("/admin/pool/check", ({ request }) => admin.respond(request, failures, checkBalances()), {
    response: admin.documented({ 200: BalanceCheck }, failures, bodyFailures),
    detail: { security: security.admin, operationId: "adminCheckPool", tags: ["admin"], summary: "Read every pool wallet's balances now and update statuses" },
  })
}
