import { Effect } from "effect"
import { Elysia, t } from "elysia"
import type { Respond } from "../../../platform/http/respond"
import { allOf, bodyFailures } from "../../../platform/http/failures"
import { LimitsSchema, limitsJson } from "../../keys/model"
import { clientAddressOf } from "../client-address"
import { register } from "../service"
import { security } from "../../../platform/http/security"

const failures = ["InvalidInput", "EmailTaken", "SignupThrottled", "LimiterUnavailable", "StoreUnavailable"] as const

const Body = t.Object({
  email: t.String({ maxLength: 320, description: "Email address; compared case-insensitively" }),
  password: t.String({ maxLength: 1024, description: "At least 12 characters" }),
})

const Registered = t.Object({
  user: t.Object({
    id: t.String({ description: "User id (usr_…)" }),
    email: t.String({ description: "Normalised email" }),
    tier: t.String({ description: "Billing tier; new accounts are free" }),
  }),
  api_key: t.Object({
    id: t.String({ description: "Key id (key_…)" }),
    key: t.String({ description: "The API key. Shown once: store it now." }),
    prefix: t.String({ description: "Start of the key, shown in listings" }),
    environment: t.Literal("live", { description: "The first key is a live key" }),
    tier: t.String({ description: "Tier of the key" }),
    limits: LimitsSchema,
  }),
  message: t.String({ description: "Reminder that the key is not shown again" }),
})

export const registerRoute = (respond: Respond) =>
  new Elysia().post(
    "/v1/auth/register",
    ({ request, body }) =>
      respond(request, failures,
        clientAddressOf(request).pipe(
          Effect.flatMap((address) => register(body.email, body.password, { clientAddress: address })),
          Effect.map(({ user, key, limits }) => ({
            user: { id: user.id, email: user.email, tier: user.tier },
            api_key: { id: key.row.id, key: key.secret, prefix: key.row.prefix, environment: "live" as const, tier: "free", limits: limitsJson(limits) },
            message: "Save this key now: it is not shown again.",
          })),
        ),
        { status: 201, headers: { "cache-control": "no-store" } },
      ),
    {
      parse: "json",
      body: Body,
      response: respond.documented({ 201: Registered }, allOf(failures, bodyFailures)),
      detail: { security: security.none, operationId: "register", tags: ["auth"], summary: "Create an account and its first API key (shown once)" },
    },
  )
