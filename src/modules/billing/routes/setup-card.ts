import { Effect } from "effect"
import { Elysia, t } from "elysia"
import type { Respond } from "../../../platform/http/respond"
import { allOf } from "../../../platform/http/failures"
import { sessionFailures } from "../../auth/failures"
import { requestIdOf } from "../../../platform/http/request-id"
import { asSignedIn } from "../../auth/session-guard"
import { startCardSetup } from "../account"

const failures = [...sessionFailures, "BillingDisabled", "StripeRequestFailed"] as const

const CardSetup = t.Object({
  setup_intent_id: t.String({ description: "Stripe SetupIntent id (seti_…)" }),
  client_secret: t.String({ description: "Confirm it in the browser with Stripe.js (confirmCardSetup); nothing is charged" }),
  card_verified: t.Boolean({ description: "Whether a card is already verified on this account (saving another replaces nothing here)" }),
})

/** A SetupIntent to save and verify a card; `setup_intent.succeeded` then marks the card verified. */
export const setupCardRoute = (respond: Respond) =>
  new Elysia().post(
    "/v1/billing/card",
    ({ request }) =>
      respond(request, failures,
        asSignedIn(request, (user) =>
          startCardSetup(user, requestIdOf(request)).pipe(
            Effect.map((s) => ({ setup_intent_id: s.setupIntentId, client_secret: s.clientSecret, card_verified: s.cardVerified })),
          ),
        ),
        { headers: { "cache-control": "no-store" } },
      ),
    {
      response: respond.documented({ 200: CardSetup }, allOf(failures)),
      detail: { operationId: "setupCard", tags: ["billing"], summary: "Start saving a card: returns a Stripe SetupIntent client secret (no charge)" },
    },
  )
