import { Elysia, t } from "elysia"
import type { Respond } from "../../../platform/http/respond"
import { allOf, bodyFailures, inputFailures } from "../../../platform/http/failures"
import { agentCallFailures } from "../failures"
import { resolveAgent } from "../steps/agent"
import { agentCallPipeline } from "../pipeline"
import { security } from "../../../platform/http/security"

export const CallResult = t.Object({
  success: t.Literal(true, { description: "The agent ran and the call was paid" }),
  output: t.Record(t.String(), t.Unknown(), { description: "The agent's output, as it returned it" }),
  usage: t.Object({
    cost_usd: t.String({ description: "What this call cost you, USD as a decimal string (agent price + markup)" }),
    cost_micro_usd: t.Integer({ description: "The same in micro-USD (1e-6 USD)" }),
    agent: t.Object({ id: t.String({ description: "Marketplace agent UUID" }), name: t.String({ description: "Agent name" }) }),
    tier: t.String({ description: "Your key's tier" }),
    request_id: t.String({ description: "Id of this request" }),
  }),
  receipt: t.Object({
    tx_signature: t.String({ description: "Solana transaction signature of the payment" }),
    receipt_id: t.String({ description: "Marketplace receipt id" }),
  }),
})

export const callAgentRoute = (respond: Respond) =>
  new Elysia().post("/v1/agents/:agentId", ({ request, params, body }) => respond(request, agentCallFailures, agentCallPipeline(request, (directory) => resolveAgent(directory, params.agentId), body)), {
    params: t.Object({ agentId: t.String({ maxLength: 100, description: "Marketplace agent UUID or an alias such as `warmmemory`" }) }),
    parse: "json",
    body: t.Record(t.String(), t.Unknown(), {
      description: "The agent's input, a JSON object as its input schema describes it (GET the agent on the marketplace for the schema)",
      examples: [{ text: "Solana settles a transaction in about 400 milliseconds, and fees stay under a cent." }],
    }),
    headers: t.Object({
      authorization: t.Optional(t.String({ description: "Bearer tk_live_… or tk_test_…" })),
      "idempotency-key": t.Optional(t.String({ description: "Makes retries safe: the same key and body within 24 h return the first answer without paying again" })),
    }),
    response: respond.documented({ 200: CallResult }, allOf(agentCallFailures, bodyFailures, inputFailures)),
    detail: { security: security.apiKey, operationId: "callAgent", tags: ["agents"], summary: "Call a paid agent; you are charged its price plus the markup, once" },
  })
