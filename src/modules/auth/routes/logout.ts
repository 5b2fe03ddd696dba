import { Effect } from "effect"
import { Elysia, t } from "elysia"
import type { Respond } from "../../../platform/http/respond"
import { allOf, bodyFailures } from "../../../platform/http/failures"
import { sessionFailures } from "../failures"
import { logout } from "../service"
import { clearedSessionCookie } from "../session-token"
import { urlOf } from "../../../platform/http/request-url"
import { security } from "../../../platform/http/security"

const failures = sessionFailures

export const logoutRoute = (respond: Respond) =>
  new Elysia().post(
    "/v1/auth/logout",
    ({ request }) =>
      respond(request, failures, logout(request.headers.get("authorization"), request.headers.get("cookie")).pipe(Effect.as({ logged_out: true as const })), {
        headers: { "set-cookie": clearedSessionCookie(urlOf(request).protocol === "https:") },
      }),
    {
      response: respond.documented({ 200: t.Object({ logged_out: t.Literal(true, { description: "The session no longer works" }) }) }, allOf(failures, bodyFailures)),
      detail: { security: security.session, operationId: "logout", tags: ["auth"], summary: "End the current session" },
    },
  )
