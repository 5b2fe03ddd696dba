import { Effect } from "effect"
import { Elysia, t } from "elysia"
import { bodyFailures } from "../../../platform/http/failures"
import type { Respond } from "../../../platform/http/respond"
import { requestIdOf } from "../../../platform/http/request-id"
import { signedInResponder } from "../../auth/session-guard"
import { cancelSubscription } from "../account"
import { security } from "../../../platform/http/security"

const failures = ["BillingDisabled", "NoSubscription", "StripeRequestFailed", "StoreUnavailable"] as const

const Cancelled = t.Object({
  tier: t.String({ description: "The tier until the period ends; the account moves to free when Stripe ends the subscription" }),
  cancel_at_period_end: t.Literal(true, { description: "The subscription ends at the end of the current billing period" }),
  subscription_ids: t.Array(t.String({ description: "Stripe subscription id" }), { description: "Subscriptions set to end" }),
})

export const cancelSubscriptionRoute = (respond: Respond) => {
  const signedIn = signedInResponder(respond)
  return new Elysia().post(
    "/v1/billing/cancel",
    ({ request }) =>
      signedIn.respond(request, failures, (user) =>
        cancelSubscription(user, requestIdOf(request)).pipe(Effect.map((r) => ({ tier: r.tier, cancel_at_period_end: true as const, subscription_ids: [...r.subscriptionIds] })))),
    {
      response: signedIn.documented({ 200: Cancelled }, failures, bodyFailures),
      detail: { security: security.session, operationId: "cancelSubscription", tags: ["billing"], summary: "Cancel the subscription at the end of the current period" },
    },
  )
}
