import { Effect } from "effect"
import { Elysia, t } from "elysia"
import type { Respond } from "../../../platform/http/respond"
import { allOf, inputFailures } from "../../../platform/http/failures"
import { security } from "../../../platform/http/security"
import { SummarySchema } from "../listing"
import { Catalogue } from "../service"
import { environmentSchema } from "../../../platform/environments"

const failures = ["CatalogueUnavailable"] as const

export const EnvironmentQuery = t.Object({
  environment: t.Optional(environmentSchema("live (default): the agents live keys call; test: the sandbox's agents, which test keys call")),
})

export const listAgentsRoute = (respond: Respond) =>
  new Elysia().get(
    "/v1/agents",
    ({ request, query }) => {
      const environment = query.environment ?? "live"
      return respond(request, failures, Effect.map(Catalogue.use((c) => c.list(environment)), (agents) => ({ environment, agents: [...agents] })), {
        headers: { "cache-control": "public, max-age=30" },
      })
    },
    {
      query: EnvironmentQuery,
      response: respond.documented({ 200: t.Object({ environment: environmentSchema(), agents: t.Array(SummarySchema) }) }, allOf(failures, inputFailures)),
      detail: { security: security.none, operationId: "listAgents", tags: ["agents"], summary: "The agent catalogue: every agent with what one call costs you (its price plus the markup); GET one agent for its schemas and examples" },
    },
  )
