import { Effect } from "effect"
import { Elysia, t } from "elysia"
import type { Respond } from "../../../platform/http/respond"
import { bodyFailures } from "../../../platform/http/failures"
import { KeySchema, keyJson } from "../model"
import { signedInResponder } from "../../auth/session-guard"
import { createKey, limitsOf } from "../service"
import { security } from "../../../platform/http/security"
import { environmentSchema } from "../../../platform/environments"

const failures = ["KeyNotFound", "StoreUnavailable"] as const

const Body = t.Object({
  name: t.String({ minLength: 1, maxLength: 100, description: "A name to tell the key apart" }),
  environment: t.Optional(environmentSchema("live (default) or test")),
})

export const CreatedKey = t.Composite([KeySchema, t.Object({ key: t.String({ description: "The API key. Shown once: store it now." }) })])

export const createKeyRoute = (respond: Respond) => {
  const signedIn = signedInResponder(respond)
  return new Elysia().post(
    "/v1/keys",
    ({ request, body }) =>
      signedIn.respond(request, failures, (user) =>
        createKey(user.id, body.name, body.environment ?? "live").pipe(
          Effect.flatMap(({ secret, row }) => Effect.map(limitsOf(row), (limits) => ({ ...keyJson(row, limits), key: secret }))),
        ),
      { status: 201, headers: { "cache-control": "no-store" } }),
    {
      parse: "json",
      body: Body,
      response: signedIn.documented({ 201: CreatedKey }, failures, bodyFailures),
      detail: { security: security.session, operationId: "createKey", tags: ["keys"], summary: "Create an API key (the key is shown once)" },
    },
  )
}
