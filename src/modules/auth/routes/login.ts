import { Effect } from "effect"
import { Elysia, t } from "elysia"
import type { Respond } from "../../../platform/http/respond"
import type { Config } from "../../../platform/config/config"
import { allOf, bodyFailures } from "../../../platform/http/failures"
import { clientAddressOf } from "../client-address"
import { login } from "../service"
import { sessionCookie } from "../session-token"
import { viaHttps } from "../../../platform/http/request-url"
import { security } from "../../../platform/http/security"

const failures = ["InvalidCredentials", "LoginThrottled", "LimiterUnavailable", "StoreUnavailable"] as const

const Body = t.Object({
  email: t.String({ maxLength: 320, description: "Account email" }),
  password: t.String({ maxLength: 1024, description: "Account password" }),
})

const Session = t.Object({
  session: t.Object({
    token: t.String({ description: "Opaque session token; also set as the HttpOnly `tdk_session` cookie. Usable as `Authorization: Bearer tks_…`." }),
    expires_at: t.String({ description: "ISO time the session ends" }),
  }),
  user: t.Object({ id: t.String({ description: "User id" }), email: t.String({ description: "Email" }), tier: t.String({ description: "Tier" }) }),
})

export const loginRoute = (respond: Respond, config: Config) =>
  new Elysia().post(
    "/v1/auth/login",
    ({ request, body }) =>
      respond(request, failures,
        clientAddressOf(request).pipe(
          Effect.flatMap((address) => login(body.email, body.password, address)),
          Effect.map(({ token, expiresAt, user }) => ({
            session: { token, expires_at: new Date(expiresAt).toISOString() },
            user: { id: user.id, email: user.email, tier: user.tier },
          })),
        ),
        {
          headers: (v) => ({
            "set-cookie": sessionCookie(v.session.token, Math.floor(config.sessionTtlMs / 1000), viaHttps(request, config.trustProxy)),
            "cache-control": "no-store",
          }),
        },
      ),
    {
      parse: "json",
      body: Body,
      response: respond.documented({ 200: Session }, allOf(failures, bodyFailures)),
      detail: { security: security.none, operationId: "login", tags: ["auth"], summary: "Start a session for key management" },
    },
  )
