// The problem documents of this module's errors. Stripe, cards, subscriptions and webhooks.
// The map is keyed by every tag of the union, so an error without one does not compile.
import { problem, type ProblemMap } from "../../platform/http/problem"
import type { BillingDisabled, CardRequired, NoSubscription, StripeRequestFailed, WebhookNotConfigured, WebhookRejected } from "./errors"

/** Every failure of this module that can reach a response. */
export type BillingFailure = StripeRequestFailed | BillingDisabled | WebhookNotConfigured | WebhookRejected | CardRequired | NoSubscription

export const billingProblems: ProblemMap<BillingFailure> = {
  StripeRequestFailed: problem(502, "billing_provider_error", "Billing provider error", (e) => (e.kind === "fatal" ? "The billing provider refused the request." : "The billing provider did not answer. Retry shortly."), { headers: (e): Record<string, string> => (e.kind === "fatal" ? {} : { "retry-after": String(Math.max(1, Math.ceil((e.retryAfterMs ?? 5000) / 1000))) }) }),
  BillingDisabled: problem(503, "billing_disabled", "Billing is not configured", () => "This gateway does not bill through Stripe (STRIPE_SECRET_KEY is unset)."),
  WebhookNotConfigured: problem(503, "webhook_not_configured", "Webhook not configured", (e) => `This gateway has no Stripe signing secret for this endpoint (${e.setting} is unset).`),
  WebhookRejected: problem(400, "webhook_rejected", "Webhook rejected", (e) => `The delivery is not a valid Stripe event: ${e.reason}.`),
  CardRequired: {
    status: 402,
    code: "card_required",
    title: "Card verification required",
    detail: (e) =>
      e.reason === "free_tier_requires_card"
        ? "This gateway requires a verified card before free-tier keys can call agents. Nothing was charged."
        : "Save a card before subscribing to a paid tier.",
    extra: (e) => ({ reason: e.reason, hint: "POST /v1/billing/card (signed in) returns a SetupIntent client_secret; confirm it with Stripe.js. Calls work once Stripe confirms the card." }),
  },
  NoSubscription: problem(409, "no_subscription", "No subscription", () => "This account has no active subscription to cancel."),
}
