// The problem documents of this module's errors. What the marketplace answered, or did not.
// The map is keyed by every tag of the union, so an error without one does not compile.
import type { ProblemMap } from "../../platform/http/problem"
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
  AgentInputInvalid: {
    status: 422,
    code: "agent_input_invalid",
    title: "Input rejected by the agent's schema",
    detail: (e) => `The agent's input schema rejected the input; nothing was charged. The marketplace said: ${e.upstream}`,
  },
  // The pool wallet is underfunded: the operator's problem, so no detail of
  // the wallet is given and the developer is told to retry.
  PayerLacksFunds: {
    status: 503,
    code: "payer_lacks_funds",
    title: "Payment wallet underfunded",
    detail: () => "The gateway's payment wallet cannot cover this call right now; nothing was charged. Retry later.",
    headers: () => ({ "retry-after": "60" }),
  },
  AgentTimedOut: {
    status: 504,
    code: "agent_timed_out",
    title: "Agent timed out",
    detail: (e) => `The agent did not answer within the marketplace's time limit. The marketplace said: ${e.upstream}`,
  },
  AgentOutputInvalid: {
    status: 502,
    code: "agent_output_invalid",
    title: "Agent returned invalid output",
    detail: (e) => `The agent's output failed its own output schema. The marketplace said: ${e.upstream}`,
  },
  // 403 rather than 404: the platform itself tells anyone the agent exists and
  // is private, and "private" tells the developer why, where 404 would mislead.
  AgentPrivate: {
    status: 403,
    code: "agent_private",
    title: "Agent is private",
    detail: (e) => `${e.agentId ? `Agent ${e.agentId}` : "This agent"} is private and does not accept calls from this gateway.`,
  },
  PaymentIntentExpired: {
    status: 502,
    code: "payment_intent_expired",
    title: "Payment quote expired",
    detail: () => "The marketplace's payment quote expired before the call was submitted; nothing was charged. Retry the call.",
  },
  ReceiptNotFound: {
    status: 404,
    code: "receipt_not_found",
    title: "Receipt not found",
    detail: (e) => `The marketplace has no receipt ${e.receiptId}.`,
  },
  MarketplaceUnreachable: {
    status: 502,
    code: "marketplace_unreachable",
    title: "Marketplace unreachable",
    detail: (e) => `Could not reach the marketplace (${e.operation}): ${e.reason}. Nothing was charged. Retry shortly.`,
    headers: () => ({ "retry-after": "5" }),
  },
  MarketplaceTimedOut: {
    status: 504,
    code: "marketplace_timed_out",
    title: "Marketplace timed out",
    detail: (e) => `The marketplace did not answer in time (${e.operation}, ${e.timeoutMs} ms per attempt). Nothing was charged. Retry shortly.`,
    headers: () => ({ "retry-after": "5" }),
  },
  MarketplaceBadResponse: {
    status: 502,
    code: "marketplace_bad_response",
    title: "Marketplace sent an unreadable answer",
    detail: (e) => `The marketplace answered ${e.operation} with HTTP ${e.status} and ${e.reason.slice(0, 200)}.`,
  },
  MarketplaceRefused: {
    status: 502,
    code: "marketplace_refused",
    title: "Marketplace refused the request",
    detail: (e) => `The marketplace refused ${e.operation} (HTTP ${e.status}): ${e.upstream}`,
    extra: (e) => ({ upstream_status: e.status }),
  },
  CallOutcomeUnknown: {
    status: 504,
    code: "call_outcome_unknown",
    title: "Agent call outcome unknown",
    detail: () =>
      "The call was submitted but its answer was lost, so whether it ran and was paid is not yet known. It is reconciled from the marketplace's receipt; you are billed only if it settled. Do not assume it failed.",
    extra: (e) => ({ payment_intent_id: e.paymentIntentId }),
  },
}
