import { Effect } from "effect"
import { Elysia, t } from "elysia"
import type { Respond } from "../../../platform/http/respond"
import { allOf, inputFailures } from "../../../platform/http/failures"
import { sessionFailures } from "../../auth/failures"
import { KeySchema, keyJson } from "../model"
import { asSignedIn } from "../../auth/session-guard"
import { limitsOf, revokeKey } from "../service"

const failures = [...sessionFailures, "KeyNotFound"] as const

export const revokeKeyRoute = (respond: Respond) =>
  new Elysia().delete(
    "/v1/keys/:id",
    ({ request, params }) =>
      respond(request, failures,
        asSignedIn(request, (user) => revokeKey(user.id, params.id).pipe(Effect.flatMap((row) => Effect.map(limitsOf(row), (limits) => keyJson(row, limits))))),
      ),
    {
      params: t.Object({ id: t.String({ maxLength: 64, description: "Key id" }) }),
      response: respond.documented({ 200: KeySchema }, allOf(failures, inputFailures)),
      detail: { operationId: "revokeKey", tags: ["keys"], summary: "Revoke a key; it stops working at once" },
    },
  )
