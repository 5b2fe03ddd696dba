import { Elysia, t } from "elysia"
import type { EnvelopeRespond } from "../envelope"
import { AgentSchema, ErrorEnvelope } from "../model"
import { Sandbox } from "../service"
import { security } from "../../../platform/http/security"

export const ListAgents = t.Object({
  ok: t.Literal(true, { description: "Success" }),
  agents: t.Array(AgentSchema, { description: "Agents of this page, without schemas and examples" }),
  count: t.Integer({ description: "Agents in this page" }),
  pagination: t.Object({
    limit: t.Integer({ description: "Page size asked for" }),
    offset: t.Integer({ description: "Agents skipped" }),
    total: t.Integer({ description: "Public agents in all" }),
    hasMore: t.Boolean({ description: "Whether a further page exists" }),
  }),
})

export const listAgents = (respond: EnvelopeRespond) =>
  new Elysia().get(
    "/tetto/api/agents",
    ({ request, query }) => respond(request, Sandbox.use((s) => s.listAgents(query.limit ?? 50, query.offset ?? 0))),
    {
      query: t.Object({
        limit: t.Optional(t.Integer({ minimum: 1, maximum: 1000, description: "Page size (default 50, max 1000)" })),
        offset: t.Optional(t.Integer({ minimum: 0, description: "Agents to skip (default 0)" })),
      }),
      response: { 200: ListAgents, 400: ErrorEnvelope },
      detail: { security: security.none, operationId: "sandboxListAgents", tags: ["sandbox"], summary: "Sandbox marketplace: list public agents" },
    },
  )
