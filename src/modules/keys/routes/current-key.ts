import { Effect } from "effect"
import { Elysia, t } from "elysia"
import type { Respond } from "../../../platform/http/respond"
import { allOf } from "../../../platform/http/failures"
import { authenticationFailures } from "../failures"
import { LimitsSchema, limitsJson } from "../model"
import { ApiKeys } from "../verifier"
import { security } from "../../../platform/http/security"
import { environmentSchema } from "../../../platform/environments"

const failures = authenticationFailures

const CurrentKey = t.Object({
  id: t.String({ description: "Key id" }),
  prefix: t.String({ description: "Start of the key" }),
  environment: environmentSchema("live or test"),
  tier: t.String({ description: "Tier" }),
  limits: LimitsSchema,
})

/** Lets a developer check a key and see its limits without spending anything. */
export const currentKeyRoute = (respond: Respond) =>
  new Elysia().get(
    "/v1/key",
    ({ request }) =>
      respond(request, failures,
        Effect.flatMap(ApiKeys, (keys) => keys.authenticate(request.headers.get("authorization"))).pipe(
          Effect.map((id) => ({ id: id.keyId, prefix: id.prefix, environment: id.environment, tier: id.tier, limits: limitsJson(id.limits) })),
        ),
      ),
    {
      response: respond.documented({ 200: CurrentKey }, allOf(failures)),
      detail: { security: security.apiKey, operationId: "currentKey", tags: ["keys"], summary: "The calling API key and its limits" },
    },
  )
