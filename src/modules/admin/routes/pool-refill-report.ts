import { Elysia, t } from "elysia"
import type { Respond } from "../../../platform/http/respond"
import { inputFailures } from "../../../platform/http/failures"
import { refillCsv, type RefillReport as Report } from "../../pool/refill"
import { currentRefillReport } from "../../pool/refill-report"
import { adminResponder } from "../guard"
import { RefillReport } from "../pool-model"
import { security } from "../../../platform/http/security"

const failures = ["StoreUnavailable"] as const

const Query = t.Object({
  format: t.Optional(t.Union([t.Literal("json"), t.Literal("csv")], { description: "json (default) or csv (one line per wallet; totals in the X-Refill-Total-* headers)" })),
})

// The CSV is rendered from the JSON answer, so both forms share one program
// and its problem documents.
const asCsv = async (res: Response): Promise<Response> => {
  if (res.status !== 200) return res
  const report = (await res.json()) as Report
  return new Response(refillCsv(report), {
    status: 200,
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": 'attachment; filename="refill-report.csv"',
      "x-request-id": res.headers.get("x-request-id") ?? "",
      "x-refill-total-usdc": String(report.total_usdc_needed),
      "x-refill-total-lamports": String(report.total_lamports_needed),
    },
  })
}

export const poolRefillReportRoute = (respond: Respond) => {
  const admin = adminResponder(respond)
  return new Elysia().get(
    "/admin/pool/refill-report",
    async ({ request, query }) => {
      const res = await admin.respond(request, failures, currentRefillReport())
      return query.format === "csv" ? asCsv(res) : res
    },
    {
      query: Query,
      response: admin.documented({ 200: RefillReport }, failures, inputFailures),
      detail: { security: security.admin, operationId: "adminPoolRefillReport", tags: ["admin"], summary: "What each wallet needs to reach the refill targets, and the totals (JSON or CSV)" },
    },
  )
}
