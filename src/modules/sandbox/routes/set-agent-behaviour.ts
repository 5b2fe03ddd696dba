import { Elysia, t } from "elysia"
import type { EnvelopeRespond } from "../envelope"
import { AgentIdParam, ErrorEnvelope } from "../model"
import { Sandbox } from "../service"
import { security } from "../../../platform/http/security"

export const AgentBehaviourBody = t.Object({
  delay_ms: t.Optional(t.Integer({ minimum: 0, maximum: 120_000, description: "Delay before the agent runs, ms; 20000 or more makes the call time out (refunded)" })),
  fail_with: t.Optional(t.String({ minLength: 1, maxLength: 500, description: "Make the agent fail with this message (refunded)" })),
})

/** Test hook (sandbox only): slow down or break an agent, to exercise client timeouts, unknown outcomes and refunds. An empty body restores normal behaviour. */
export const setAgentBehaviour = (respond: EnvelopeRespond) =>
  new Elysia().put(
    "/control/agents/:id",
    ({ request, params, body }) =>
      respond(request, Sandbox.use((s) => s.setBehaviour(params.id, { delayMs: body.delay_ms ?? 0, failWith: body.fail_with }))),
    {
      params: AgentIdParam,
      parse: "json",
      body: AgentBehaviourBody,
      response: {
        200: t.Object({
          ok: t.Literal(true, { description: "Applied" }),
          agent_id: t.String({ description: "The agent" }),
          delayMs: t.Integer({ description: "Delay now applied, ms" }),
          failWith: t.Optional(t.String({ description: "Failure now forced" })),
        }),
        400: ErrorEnvelope,
        404: ErrorEnvelope,
      },
      detail: { security: security.none, operationId: "sandboxSetAgentBehaviour", tags: ["sandbox"], summary: "Sandbox test hook: delay or fail an agent's runs (in memory, until reset)" },
    },
  )
