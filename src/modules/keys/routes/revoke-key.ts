import { Effect } from "effect"
import { Elysia, t } from "elysia"
import type { Respond } from "../../../platform/http/respond"
import { bodyFailures, inputFailures } from "../../../platform/http/failures"
import { KeySchema, keyJson } from "../model"
import { signedInResponder } from "../../auth/session-guard"
import { limitsOf, revokeKey } from "../service"
import { security } from "../../../platform/http/security"

const failures = ["KeyNotFound", "StoreUnavailable"] as const

export const revokeKeyRoute = (respond: Respond) => {
  const signedIn = signedInResponder(respond)
  return new Elysia().delete(
    "/v1/keys/:id",
    ({ request, params }) =>
      signedIn.respond(request, failures, (user) => revokeKey(user.id, params.id).pipe(Effect.flatMap((row) => Effect.map(limitsOf(row), (limits) => keyJson(row, limits))))),
    {
      params: t.Object({ id: t.String({ maxLength: 64, description: "Key id" }) }),
      response: signedIn.documented({ 200: KeySchema }, failures, bodyFailures, inputFailures),
      detail: { security: security.session, operationId: "revokeKey", tags: ["keys"], summary: "Revoke a key; it stops working at once" },
    },
  )
}
