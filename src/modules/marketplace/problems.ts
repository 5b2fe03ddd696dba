// The problem documents of this module's errors. What the marketplace answered, or did not.
// The map is keyed by every tag of the union, so an error without one does not compile.
import { problem, type ProblemMap } from "../../platform/http/problem"
import type { MarketplaceError } from "./errors"

export const marketplaceProblems: ProblemMap<MarketplaceError> = {
  // A malformed id names no agent, so it gets the same answer as an unknown
  // one; 422 stays reserved for input the agent's schema rejects.
  AgentNotFound: {
    status: 404,
    code: "agent_not_found",
    title: "Agent not found",
    detail: (e) =>
      e.reason === "malformed_id"
        ? `${JSON.stringify(e.agentId)} is not an agent id: agent ids are UUIDs.`
        : `The marketplace has no agent ${e.agentId}.`,
    extra: (e) => ({ agent_id: e.agentId }),
  },
  AgentInputInvalid: problem(422, "agent_input_invalid", "Input rejected by the agent's schema", (e) => `The agent's input schema rejected the input; nothing was charged. The marketplace said: ${e.upstream}`),
  // The pool wallet is underfunded: the operator's problem, so no detail of
  // the wallet is given and the developer is told to retry.
  PayerLacksFunds: problem(503, "payer_lacks_funds", "Payment wallet underfunded", () => "The gateway's payment wallet cannot cover this call right now; nothing was charged. Retry later.", { headers: () => ({ "retry-after": "60" }) }),
  AgentTimedOut: problem(504, "agent_timed_out", "Agent timed out", (e) => `The agent did not answer within the marketplace's time limit. The marketplace said: ${e.upstream}`),
  AgentOutputInvalid: problem(502, "agent_output_invalid", "Agent returned invalid output", (e) => `The agent's output failed its own output schema. The marketplace said: ${e.upstream}`),
  // 403 rather than 404: the platform itself tells anyone the agent exists and
  // is private, and "private" tells the developer why, where 404 would mislead.
  AgentPrivate: problem(403, "agent_private", "Agent is private", (e) => `${e.agentId ? `Agent ${e.agentId}` : "This agent"} is private and does not accept calls from this gateway.`),
  PaymentIntentExpired: problem(502, "payment_intent_expired", "Payment quote expired", () => "The marketplace's payment quote expired before the call was submitted; nothing was charged. Retry the call."),
  ReceiptNotFound: problem(404, "receipt_not_found", "Receipt not found", (e) => `The marketplace has no receipt ${e.receiptId}.`),
  MarketplaceUnreachable: problem(502, "marketplace_unreachable", "Marketplace unreachable", (e) => `Could not reach the marketplace (${e.operation}): ${e.reason}. Nothing was charged. Retry shortly.`, { headers: () => ({ "retry-after": "5" }) }),
  MarketplaceTimedOut: problem(504, "marketplace_timed_out", "Marketplace timed out", (e) => `The marketplace did not answer in time (${e.operation}, ${e.timeoutMs} ms per attempt). Nothing was charged. Retry shortly.`, { headers: () => ({ "retry-after": "5" }) }),
  MarketplaceBadResponse: problem(502, "marketplace_bad_response", "Marketplace sent an unreadable answer", (e) => `The marketplace answered ${e.operation} with HTTP ${e.status} and ${e.reason.slice(0, 200)}.`),
  MarketplaceRefused: problem(502, "marketplace_refused", "Marketplace refused the request", (e) => `The marketplace refused ${e.operation} (HTTP ${e.status}): ${e.upstream}`, { extra: (e) => ({ upstream_status: e.status }) }),
  CallOutcomeUnknown: {
    status: 504,
    code: "call_outcome_unknown",
    title: "Agent call outcome unknown",
    detail: () =>
      "The call was submitted but its answer was lost, so whether it ran and was paid is not yet known. It is reconciled from the marketplace's receipt; you are billed only if it settled. Do not assume it failed.",
    extra: (e) => ({ payment_intent_id: e.paymentIntentId }),
  },
}
