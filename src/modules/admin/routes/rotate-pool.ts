// Wallet rotation from the operator's API. New wallets are funded from the
// sandbox faucet where the pool pays on the sandbox; on a real network the
// treasury key is needed, which the server never holds, so only a dry run is
// offered here and `tdk pool rotate --from-keypair` does the rest.
import { Effect } from "effect"
import { Elysia, t } from "elysia"
import { AppConfig } from "../../../platform/config/service"
import { bodyFailures } from "../../../platform/http/failures"
import type { Respond } from "../../../platform/http/respond"
import { security } from "../../../platform/http/security"
import { FundingNeedsTreasuryKey } from "../../pool/errors"
import { faucetFunding, fundedByFaucet, rotateWallets } from "../../pool/rotation"
import { DAY_MS } from "../../../platform/period"
import { adminResponder } from "../guard"
import { WalletRotation } from "../pool-model"
import { environmentSchema } from "../../../platform/environments"

const failures = ["StoreUnavailable", "FundingNeedsTreasuryKey", "RotationInProgress", "JobLeaseLost"] as const

const Body = t.Object({
  older_than_days: t.Integer({ minimum: 0, maximum: 3650, description: "Rotate wallets created more than this many days ago (the plan: 90)" }),
  environment: t.Optional(environmentSchema("The pool to rotate (default live)")),
  dry_run: t.Optional(t.Boolean({ description: "Report what would be rotated, change nothing (default false)" })),
})

export const rotatePoolRoute = (respond: Respond) => {
  const admin = adminResponder(respond)
  return new Elysia().post(
    "/admin/pool/rotate",
    ({ request, body }) =>
      admin.respond(
        request,
        failures,
        Effect.gen(function* () {
          const config = yield* AppConfig
          const environment = body.environment ?? "live"
          const dryRun = body.dry_run ?? false
          if (!dryRun && !fundedByFaucet(config.network, environment)) return yield* new FundingNeedsTreasuryKey({ network: config.network })
          return yield* rotateWallets({ olderThanMs: body.older_than_days * DAY_MS, environment, dryRun, fund: faucetFunding })
        }),
      ),
    {
      parse: "json",
      body: Body,
      response: admin.documented({ 200: WalletRotation }, failures, bodyFailures),
      detail: {
        security: security.admin,
        operationId: "adminRotatePool",
        tags: ["admin"],
        summary: "Rotate wallets older than N days: fund new ones, move their keys, retire the old (storage data stays reachable)",
      },
    },
  )
}
