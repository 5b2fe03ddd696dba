// Sweeping retired wallets to POOL_TREASURY_ADDRESS from the operator's API
// (`tdk pool sweep` does the same from the command line).
import { Elysia, t } from "elysia"
import { bodyFailures } from "../../../platform/http/failures"
import type { Respond } from "../../../platform/http/respond"
import { security } from "../../../platform/http/security"
import { sweepRetired } from "../../pool/sweep"
import { adminResponder } from "../guard"
import { SweepReport } from "../pool-model"

const failures = ["StoreUnavailable", "TreasuryNotConfigured", "ChainUnavailable", "SweepInProgress", "JobLeaseLost"] as const

const Body = t.Object({
  dry_run: t.Optional(t.Boolean({ description: "Report what would be sent, send nothing (default false)" })),
  grace_minutes: t.Optional(t.Integer({ minimum: 0, maximum: 10_080, description: "Leave wallets retired less than this many minutes ago (default 10: calls may still pay from them for a few seconds after rotation)" })),
})

export const sweepPoolRoute = (respond: Respond) => {
  const admin = adminResponder(respond)
  return new Elysia().post("/admin/pool/sweep", ({ request, body }) => admin.respond(request, failures, sweepRetired({ dryRun: body.dry_run ?? false, ...(body.grace_minutes === undefined ? {} : { graceMs: body.grace_minutes * 60_000 }) })), {
    parse: "json",
    body: Body,
    response: admin.documented({ 200: SweepReport }, failures, bodyFailures),
    detail: {
      security: security.admin,
      operationId: "adminSweepPool",
      tags: ["admin"],
      summary: "Send each retired wallet's USDC and SOL to the treasury (idempotent; wallets holding storage data are skipped)",
    },
  })
}
