// The agent catalogue of a network, priced for the developer. The list (as
// the marketplace's, without schemas and examples) is
// fetched whole (pages of 1,000, at most 10) and reused for the agent cache's
// TTL (MARKETPLACE_AGENT_CACHE_TTL_MS), one fetch in flight per network; one
// agent comes from the marketplace client's own agent cache. A failed fetch
// is not cached.
import { Clock, Context, Deferred, Effect, Layer } from "effect"
import { AppConfig } from "../../platform/config/service"
import type { KeyEnvironment } from "../keys/key-format"
import { AgentNotFound, type AgentPrivate, type MarketplaceError } from "../marketplace/errors"
import type { WireAgent } from "../marketplace/protocol"
import { resolveAgentId } from "../network/agents"
import { Networks } from "../network/service"
import { CatalogueUnavailable } from "./errors"
import { aliasesById, listingOf, summaryOf, type Listing, type PriceRules, type Summary } from "./listing"

const PAGE = 1000
const MAX_PAGES = 10

export type CatalogueShape = {
  readonly list: (environment: KeyEnvironment) => Effect.Effect<ReadonlyArray<Summary>, CatalogueUnavailable>
  /** By UUID or alias. */
  readonly get: (environment: KeyEnvironment, ref: string) => Effect.Effect<Listing, AgentNotFound | AgentPrivate | CatalogueUnavailable>
}

/** What the catalogue cannot act on becomes "unavailable"; a missing or private agent stays itself. */
const unavailable = (e: MarketplaceError) => new CatalogueUnavailable({ reason: e._tag })

export class Catalogue extends Context.Service<Catalogue, CatalogueShape>()("tdk/Catalogue") {
  static readonly layer = Layer.effect(
    Catalogue,
    Effect.gen(function* () {
      const config = yield* AppConfig
      const networks = yield* Networks
      const rules: PriceRules = { markupBps: config.markupBps, solPriceMicroUsd: config.solPriceMicroUsd }
      const ttlMs = config.marketplaceAgentCacheTtlMs
      const kept = new Map<KeyEnvironment, { readonly until: number; readonly listings: ReadonlyArray<Summary> }>()
      const inflight = new Map<KeyEnvironment, Deferred.Deferred<ReadonlyArray<Summary>, CatalogueUnavailable>>()

      const fetchAll = (environment: KeyEnvironment) =>
        Effect.gen(function* () {
          const network = networks[environment]
          const agents: Array<WireAgent> = []
          for (let page = 0; page < MAX_PAGES; page++) {
            const got = yield* network.marketplace.listAgents({ limit: PAGE, offset: page * PAGE }).pipe(Effect.mapError(unavailable))
            agents.push(...got.agents)
            if (!got.pagination.hasMore || got.agents.length === 0) break
          }
          const aliases = aliasesById(network.directory.aliases)
          return agents.map((a) => summaryOf(listingOf(a, aliases.get(a.id) ?? [], rules))).sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id))
        })

      // The fetch runs in a fiber of its own: a caller that goes away (client
      // disconnected) must not cancel it and leave the others waiting on it.
      const refresh = (environment: KeyEnvironment, done: Deferred.Deferred<ReadonlyArray<Summary>, CatalogueUnavailable>) =>
        Effect.exit(fetchAll(environment)).pipe(
          Effect.flatMap((exit) =>
            Effect.gen(function* () {
              if (exit._tag === "Success" && ttlMs > 0) kept.set(environment, { until: (yield* Clock.currentTimeMillis) + ttlMs, listings: exit.value })
              inflight.delete(environment)
              yield* Deferred.done(done, exit)
            }),
          ),
        )

      const list = Effect.fn("Catalogue.list")(function* (environment: KeyEnvironment) {
        const now = yield* Clock.currentTimeMillis
        const hit = kept.get(environment)
        if (hit && now < hit.until) return hit.listings
        let waiting = inflight.get(environment)
        if (!waiting) {
          const done = yield* Deferred.make<ReadonlyArray<Summary>, CatalogueUnavailable>()
          inflight.set(environment, done)
          yield* Effect.forkDetach(refresh(environment, done))
          waiting = done
        }
        return yield* Deferred.await(waiting)
      })

      const get = Effect.fn("Catalogue.get")(function* (environment: KeyEnvironment, ref: string) {
        const network = networks[environment]
        const agentId = resolveAgentId(network.directory, ref)
        if (agentId === undefined) return yield* new AgentNotFound({ agentId: ref.slice(0, 100), reason: "malformed_id" })
        const agent = yield* network.marketplace.getAgent(agentId).pipe(
          Effect.mapError((e): AgentNotFound | AgentPrivate | CatalogueUnavailable => (e._tag === "AgentNotFound" || e._tag === "AgentPrivate" ? e : unavailable(e))),
        )
        return listingOf(agent, aliasesById(network.directory.aliases).get(agent.id) ?? [], rules)
      })

      return { list, get }
    }),
  )
}
