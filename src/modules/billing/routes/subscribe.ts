import { Effect } from "effect"
import { Elysia, t } from "elysia"
import type { Respond } from "../../../platform/http/respond"
import { bodyFailures } from "../../../platform/http/failures"
import { requestIdOf } from "../../../platform/http/request-id"
import { signedInResponder } from "../../auth/session-guard"
import { subscribe } from "../account"
import { security } from "../../../platform/http/security"

const failures = ["BillingDisabled", "CardRequired", "StripeRequestFailed", "StoreUnavailable"] as const

const Body = t.Object({
  tier: t.Union([t.Literal("paid"), t.Literal("pro")], { description: "The tier to move to; both bill usage on the metered price, they differ in limits" }),
})

const Subscribed = t.Object({
  tier: t.String({ description: "The account's tier now; every key has it at once" }),
  subscription_id: t.String({ description: "Stripe subscription id (sub_…)" }),
})

export const subscribeRoute = (respond: Respond) => {
  const signedIn = signedInResponder(respond)
  return new Elysia().post(
    "/v1/billing/subscribe",
    ({ request, body }) =>
      signedIn.respond(request, failures, (user) => subscribe(user, body.tier, requestIdOf(request)).pipe(Effect.map((r) => ({ tier: r.tier, subscription_id: r.subscriptionId })))),
    {
      parse: "json",
      body: Body,
      response: signedIn.documented({ 200: Subscribed }, failures, bodyFailures),
      detail: {
        security: security.session,
        operationId: "subscribe",
        tags: ["billing"],
        summary: "Subscribe to a paid tier (needs a verified card); usage from now on is billed monthly in arrears",
      },
    },
  )
}
