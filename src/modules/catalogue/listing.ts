// An agent as the catalogue shows it: what the developer pays for one call
// (the agent's quote plus the markup, as the gateway will charge it), what it
// takes and returns, and the names a call may use for it.
import { t } from "elysia"
import type { WireAgent } from "../marketplace/protocol"
import { formatUsd } from "../gateway/money"
import { priceQuote } from "../gateway/steps/price"

export type PriceRules = { readonly markupBps: number; readonly solPriceMicroUsd: number }

const microUsd = (description: string) => t.Integer({ description: `${description}, micro-USD (1e-6 USD)` })
const usd = (description: string) => t.String({ description: `${description}, USD as a decimal string` })
const JsonObject = (description: string) => t.Record(t.String(), t.Unknown(), { description })

export const ListingSchema = t.Object({
  id: t.String({ description: "Marketplace agent UUID: POST /v1/agents/{id} calls it" }),
  aliases: t.Array(t.String(), { description: "Other names POST /v1/agents/{alias} accepts for it" }),
  name: t.String(),
  description: t.String({ description: "The agent's own description (empty when it gives none)" }),
  price: t.Object({
    token: t.String({ description: "Token the agent quotes in: USDC or SOL" }),
    price_base: t.Integer({ description: "The agent's quote in base units of that token" }),
    agent_micro_usd: microUsd("What the agent charges"),
    markup_micro_usd: microUsd("The gateway's markup"),
    developer_micro_usd: microUsd("What you pay per call: agent price + markup"),
    developer_usd: usd("What you pay per call"),
  }),
  input_schema: t.Union([JsonObject("JSON Schema of the input"), t.Null()]),
  output_schema: t.Union([JsonObject("JSON Schema of the output"), t.Null()]),
  examples: t.Array(JsonObject("An example input"), { description: "Example inputs the agent publishes" }),
  beta: t.Boolean(),
})

export type Listing = typeof ListingSchema.static

/** A list entry: the marketplace's list omits schemas and examples (GET the agent for them). */
export const SummarySchema = t.Omit(ListingSchema, ["input_schema", "output_schema", "examples"])
export type Summary = typeof SummarySchema.static

export const summaryOf = ({ input_schema: _i, output_schema: _o, examples: _e, ...summary }: Listing): Summary => summary

/** The catalogue entry of `agent`; a SOL quote is priced at the configured rate, as a call would be. */
export const listingOf = (agent: WireAgent, aliases: ReadonlyArray<string>, rules: PriceRules): Listing => {
  const price = priceQuote(agent.token, agent.price_base, rules.markupBps, rules.solPriceMicroUsd)
  return {
    id: agent.id,
    aliases: [...aliases].sort(),
    name: agent.name,
    description: agent.description ?? "",
    price: {
      token: agent.token,
      price_base: agent.price_base,
      agent_micro_usd: price.agentPriceMicroUsd,
      markup_micro_usd: price.markupMicroUsd,
      developer_micro_usd: price.developerPriceMicroUsd,
      developer_usd: formatUsd(price.developerPriceMicroUsd),
    },
    input_schema: agent.input_schema ?? null,
    output_schema: agent.output_schema ?? null,
    examples: [...(agent.example_inputs ?? [])],
    beta: agent.is_beta === true,
  }
}

/** The aliases that name each agent id. */
export const aliasesById = (aliases: Readonly<Record<string, string>>): ReadonlyMap<string, ReadonlyArray<string>> => {
  const byId = new Map<string, Array<string>>()
  for (const [alias, id] of Object.entries(aliases)) byId.set(id, [...(byId.get(id) ?? []), alias])
  return byId
}
