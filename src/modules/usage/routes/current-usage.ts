import { Effect } from "effect"
import { Elysia, t } from "elysia"
import type { Respond } from "../../../platform/http/respond"
import { allOf } from "../../../platform/http/failures"
import { authenticationFailures } from "../../keys/failures"
import { ApiKeys } from "../../keys/verifier"
import { CurrentUsageSchema } from "../model"
import { currentUsage } from "../service"
import { security } from "../../../platform/http/security"

const failures = authenticationFailures

export const currentUsageRoute = (respond: Respond) =>
  new Elysia().get(
    "/v1/usage/current",
    ({ request }) =>
      respond(request, failures,
        Effect.flatMap(ApiKeys, (keys) => keys.authenticate(request.headers.get("authorization"))).pipe(Effect.flatMap(currentUsage)),
      ),
    {
      headers: t.Object({ authorization: t.Optional(t.String({ description: "Bearer tk_live_… or tk_test_…" })) }),
      response: respond.documented({ 200: CurrentUsageSchema }, allOf(failures)),
      detail: { security: security.apiKey, operationId: "currentUsage", tags: ["usage"], summary: "This month's calls and spend of the calling key, against its quota and cap, per agent" },
    },
  )
