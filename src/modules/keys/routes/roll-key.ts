import { Effect } from "effect"
import { Elysia, t } from "elysia"
import type { Respond } from "../../../platform/http/respond"
import { bodyFailures, inputFailures } from "../../../platform/http/failures"
import { KeySchema, keyJson } from "../model"
import { signedInResponder } from "../../auth/session-guard"
import { limitsOf, rollKey } from "../service"
import { security } from "../../../platform/http/security"

const failures = ["KeyNotFound", "StoreUnavailable"] as const

const Body = t.Object({
  grace_seconds: t.Optional(t.Integer({ minimum: 0, maximum: 7 * 86_400, description: "How long the old secret keeps working, seconds (default 0: stops at once)" })),
})

const Rolled = t.Composite([
  KeySchema,
  t.Object({
    key: t.String({ description: "The new API key. Shown once: store it now." }),
    previous_key_valid_until: t.Union([t.String(), t.Null()], { description: "ISO time the old secret stops working; null if it already has" }),
  }),
])

export const rollKeyRoute = (respond: Respond) => {
  const signedIn = signedInResponder(respond)
  return new Elysia().post(
    "/v1/keys/:id/roll",
    ({ request, params, body }) =>
      signedIn.respond(request, failures, (user) =>
        rollKey(user.id, params.id, body?.grace_seconds ?? 0).pipe(
          Effect.flatMap(({ secret, row, graceUntil }) =>
            Effect.map(limitsOf(row), (limits) => ({
              ...keyJson(row, limits),
              key: secret,
              previous_key_valid_until: graceUntil === null ? null : new Date(graceUntil).toISOString(),
            })),
          ),
        ),
      { headers: { "cache-control": "no-store" } }),
    {
      params: t.Object({ id: t.String({ maxLength: 64, description: "Key id" }) }),
      parse: "json",
      body: t.Optional(Body),
      response: signedIn.documented({ 200: Rolled }, failures, bodyFailures, inputFailures),
      detail: { security: security.session, operationId: "rollKey", tags: ["keys"], summary: "Replace a key's secret, optionally keeping the old one for a grace period" },
    },
  )
}
