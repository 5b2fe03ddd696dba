import { Effect } from "effect"
import { Elysia, t } from "elysia"
import type { Respond } from "../../../platform/http/respond"
import { withProblems } from "../../../platform/http/problem"
import { KeySchema, keyJson } from "../model"
import { asSignedIn } from "../../auth/session-guard"
import { limitsOf, revokeKey } from "../service"

export const revokeKeyRoute = (respond: Respond) =>
  new Elysia().delete(
    "/v1/keys/:id",
    ({ request, params }) =>
      respond(
        request,
        asSignedIn(request, (user) => revokeKey(user.id, params.id).pipe(Effect.flatMap((row) => Effect.map(limitsOf(row), (limits) => keyJson(row, limits))))),
      ),
    {
      params: t.Object({ id: t.String({ maxLength: 64, description: "Key id" }) }),
      response: withProblems({ 200: KeySchema }, [401, 404]),
      detail: { operationId: "revokeKey", tags: ["keys"], summary: "Revoke a key; it stops working at once" },
    },
  )
