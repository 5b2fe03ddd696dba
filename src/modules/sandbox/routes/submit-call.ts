import { Elysia, t } from "elysia"
import type { EnvelopeRespond } from "../envelope"
import { ErrorEnvelope } from "../model"
import { Sandbox } from "../service"
import { security } from "../../../platform/http/security"

export const CallBody = t.Object({
  payment_intent_id: t.String({ description: "Intent returned by build-transaction" }),
  signed_transaction: t.String({ description: "base64 of the transaction signed by the payer" }),
})

export const CallAgent = t.Object({
  ok: t.Literal(true, { description: "The payment settled and the agent answered" }),
  message: t.String({ description: "Human note" }),
  output: t.Record(t.String(), t.Unknown(), { description: "The agent's output" }),
  tx_signature: t.String({ description: "Payment transaction signature (base58)" }),
  receipt_id: t.String({ description: "Receipt id (UUID)" }),
  explorer_url: t.String({ description: "Explorer link to the transaction" }),
  agent_received: t.Integer({ description: "Base units paid to the agent owner" }),
  protocol_fee: t.Integer({ description: "Base units paid to the protocol" }),
})

export const callAgent = (respond: EnvelopeRespond) =>
  new Elysia().post(
    "/tetto/api/agents/call",
    ({ request, body }) => respond(request, Sandbox.use((s) => s.call(body))),
    {
      parse: "json",
      body: CallBody,
      response: { 200: CallAgent, 400: ErrorEnvelope, 404: ErrorEnvelope, 409: ErrorEnvelope, 410: ErrorEnvelope, 502: ErrorEnvelope, 504: ErrorEnvelope },
      detail: { security: security.none, operationId: "sandboxCallAgent", tags: ["sandbox"], summary: "Sandbox marketplace: submit the signed payment, run the agent (refund if it fails)" },
    },
  )
