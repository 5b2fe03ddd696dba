import { Elysia } from "elysia"
import type { Respond } from "../../../platform/http/respond"
import { withProblems } from "../../../platform/http/problem"
import { checkBalances } from "../../pool/balances"
import { asAdmin } from "../guard"
import { BalanceCheck } from "../pool-model"

// Runs without the job lock: a check racing the hourly one only reads twice.
export const checkPoolRoute = (respond: Respond) =>
  new Elysia().post("/admin/pool/check", ({ request }) => respond(request, asAdmin(request, checkBalances())), {
    response: withProblems({ 200: BalanceCheck }, [401]),
    detail: { operationId: "adminCheckPool", tags: ["admin"], summary: "Read every pool wallet's balances now and update statuses" },
  })
