import { Effect } from "effect"
import { Elysia, t } from "elysia"
import { bodyFailures } from "../../../platform/http/failures"
import type { Respond } from "../../../platform/http/respond"
import { requestIdOf } from "../../../platform/http/request-id"
import { signedInResponder } from "../../auth/session-guard"
import { startCardSetup } from "../account"
import { security } from "../../../platform/http/security"

const failures = ["BillingDisabled", "StripeRequestFailed", "StoreUnavailable"] as const

const CardSetup = t.Object({
  setup_intent_id: t.String({ description: "Stripe SetupIntent id (seti_…)" }),
  client_secret: t.String({ description: "Confirm it in the browser with Stripe.js (confirmCardSetup); nothing is charged" }),
  card_verified: t.Boolean({ description: "Whether a card is already verified on this account (saving another replaces nothing here)" }),
})

/** A SetupIntent to save and verify a card; `setup_intent.succeeded` then marks the card verified. */
export const setupCardRoute = (respond: Respond) => {
  const signedIn = signedInResponder(respond)
  return new Elysia().post(
    "/v1/billing/card",
    ({ request }) =>
      signedIn.respond(request, failures, (user) =>
        startCardSetup(user, requestIdOf(request)).pipe(
          Effect.map((s) => ({ setup_intent_id: s.setupIntentId, client_secret: s.clientSecret, card_verified: s.cardVerified })),
        ),
      { headers: { "cache-control": "no-store" } }),
    {
      response: signedIn.documented({ 200: CardSetup }, failures, bodyFailures),
      detail: { security: security.session, operationId: "setupCard", tags: ["billing"], summary: "Start saving a card: returns a Stripe SetupIntent client secret (no charge)" },
    },
  )
}
