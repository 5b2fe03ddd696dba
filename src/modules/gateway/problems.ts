// The problem documents of this module's errors. The agent call: quota, spend cap, payment, idempotency.
// The map is keyed by every tag of the union, so an error without one does not compile.
import { problem, type ProblemMap } from "../../platform/http/problem"
import type { IdempotencyInFlight, IdempotencyKeyInvalid, IdempotencyKeyReused, PaymentContention, QuotaExhausted, SpendCapReached, UnknownAgentAlias } from "./errors"
import { formatUsd } from "./money"

/** Every failure of this module that can reach a response. */
export type GatewayFailure = QuotaExhausted | PaymentContention | SpendCapReached | UnknownAgentAlias | IdempotencyKeyReused | IdempotencyInFlight | IdempotencyKeyInvalid

export const gatewayProblems: ProblemMap<GatewayFailure> = {
  QuotaExhausted: problem(402, "quota_exhausted", "Monthly quota used up", (e) => `This key has used its ${e.limit} calls for ${e.period}. Upgrade the tier or wait for the next month (UTC).`, { extra: (e) => ({ limit: e.limit, used: e.used, period: e.period, hint: "POST /v1/billing/subscribe raises the tier; quotas reset on the 1st (UTC)." }) }),
  PaymentContention: {
    status: 503,
    code: "payment_contention",
    title: "No distinct payment available",
    detail: (e) =>
      e.reason === "no_distinct_payment"
        ? "Every wallet that may pay this call already has a payment to this agent in the current block. Nothing was charged; retry shortly."
        : "The call's reservation expired before it was paid. Nothing was charged; retry.",
    headers: () => ({ "retry-after": "1" }),
  },
  SpendCapReached: problem(402, "spend_cap_reached", "Monthly spend cap reached", (e) => `This call ($${formatUsd(e.priceMicroUsd)}) would take the key past its monthly cap of $${formatUsd(e.capMicroUsd)} (spent $${formatUsd(e.spentMicroUsd)}).`, { extra: (e) => ({ limit_micro_usd: e.capMicroUsd, used_micro_usd: e.spentMicroUsd, hint: "Raise the key's spend cap or wait for the next month (UTC)." }) }),
  UnknownAgentAlias: problem(404, "agent_not_found", "Agent not found", (e) => `No agent is called ${JSON.stringify(e.ref)}. Use the agent's marketplace UUID or a configured alias.`),
  IdempotencyKeyReused: problem(422, "idempotency_key_reused", "Idempotency-Key reused with a different request", () => "This Idempotency-Key was used with a different request body in the last 24 hours. Use a new key for a new request."),
  IdempotencyInFlight: problem(409, "idempotency_in_flight", "Request already in progress", () => "A request with this Idempotency-Key is still being processed (or was interrupted). Retry later to get its result.", { headers: () => ({ "retry-after": "2" }) }),
  IdempotencyKeyInvalid: problem(400, "idempotency_key_invalid", "Invalid Idempotency-Key", () => "Idempotency-Key must be 1 to 255 printable ASCII characters."),
}
