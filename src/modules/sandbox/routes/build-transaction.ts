import { Elysia, t } from "elysia"
import type { EnvelopeRespond } from "../envelope"
import { AgentIdParam, ErrorEnvelope, Token } from "../model"
import { Sandbox } from "../service"
import { security } from "../../../platform/http/security"

export const BuildTransactionBody = t.Object({
  payer_wallet: t.String({ maxLength: 64, description: "Base58 public key of the paying wallet (fee payer and only signer)" }),
  selected_token: t.Optional(Token),
  input: t.Record(t.String(), t.Unknown(), { description: "Agent input; validated against the agent's input schema before any payment" }),
  calling_agent_id: t.Optional(t.String({ description: "Calling agent (UUID), for agent-to-agent calls" })),
})

export const BuildTransaction = t.Object({
  ok: t.Literal(true, { description: "Success" }),
  transaction: t.String({ description: "base64 of the unsigned legacy transaction" }),
  payment_intent_id: t.String({ description: "Intent to submit with the signed transaction (UUID)" }),
  amount_base: t.Integer({ description: "Price charged, base units of token" }),
  token: Token,
  expires_at: t.String({ description: "Intent expiry, ISO 8601" }),
  input_hash: t.String({ description: "sha256 hex of the input JSON" }),
  message: t.Optional(t.String({ description: "Human note" })),
})

export const buildTransaction = (respond: EnvelopeRespond) =>
  new Elysia().post(
    "/tetto/api/agents/:id/build-transaction",
    ({ request, params, body }) => respond(request, Sandbox.use((s) => s.buildTransaction(params.id, body))),
    {
      params: AgentIdParam,
      parse: "json",
      body: BuildTransactionBody,
      response: { 200: BuildTransaction, 400: ErrorEnvelope, 403: ErrorEnvelope, 404: ErrorEnvelope },
      detail: { security: security.none, operationId: "sandboxBuildTransaction", tags: ["sandbox"], summary: "Sandbox marketplace: validate input and build the unsigned payment transaction" },
    },
  )
