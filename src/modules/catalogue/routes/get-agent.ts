import { Elysia, t } from "elysia"
import type { Respond } from "../../../platform/http/respond"
import { allOf, inputFailures } from "../../../platform/http/failures"
import { security } from "../../../platform/http/security"
import { ListingSchema } from "../listing"
import { Catalogue } from "../service"
import { EnvironmentQuery } from "./list-agents"

const failures = ["AgentNotFound", "AgentPrivate", "CatalogueUnavailable"] as const

export const getAgentRoute = (respond: Respond) =>
  new Elysia().get(
    "/v1/agents/:agentId",
    ({ request, params, query }) =>
      respond(request, failures, Catalogue.use((c) => c.get(query.environment ?? "live", params.agentId)), { headers: { "cache-control": "public, max-age=30" } }),
    {
      params: t.Object({ agentId: t.String({ maxLength: 100, description: "Marketplace agent UUID or an alias such as `warmmemory`" }) }),
      query: EnvironmentQuery,
      response: respond.documented({ 200: ListingSchema }, allOf(failures, inputFailures)),
      detail: { security: security.none, operationId: "getAgent", tags: ["agents"], summary: "One agent of the catalogue, by id or alias, with what one call costs you" },
    },
  )
