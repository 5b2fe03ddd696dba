import { Elysia, t } from "elysia"
import type { EnvelopeRespond } from "../envelope"
import { AgentIdParam, AgentSchema, ErrorEnvelope } from "../model"
import { Sandbox } from "../service"
import { security } from "../../../platform/http/security"

export const GetAgent = t.Object({ ok: t.Literal(true, { description: "Success" }), agent: AgentSchema })

export const getAgent = (respond: EnvelopeRespond) =>
  new Elysia().get(
    "/tetto/api/agents/:id",
    ({ request, params }) => respond(request, Sandbox.use((s) => s.getAgent(params.id))),
    {
      params: AgentIdParam,
      response: { 200: GetAgent, 404: ErrorEnvelope },
      detail: { security: security.none, operationId: "sandboxGetAgent", tags: ["sandbox"], summary: "Sandbox marketplace: one agent with its schemas and examples" },
    },
  )
