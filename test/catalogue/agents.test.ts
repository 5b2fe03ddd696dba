// GET /v1/agents and /v1/agents/{id}: the catalogue of the network, priced as
// a call is charged; cached for the agent cache's TTL; a marketplace outage
// is a 502 that is not cached.
import { afterEach, describe, expect, test } from "bun:test"
import { makeTestApp, readJson, type TestApp } from "../support/app"
import { bearer, register } from "../support/accounts"
import { manualClock } from "../support/clock"
import { makeGatewayApp } from "../support/gateway"
import { agent, AGENT_ID, json, startFake, type Fake } from "../marketplace/fake-marketplace"

let h: TestApp | undefined
let fake: Fake | undefined
afterEach(async () => {
  await h?.close()
  fake?.stop()
  h = undefined
  fake = undefined
})

const SOL_AGENT_ID = "5b6c7d8e-9f01-4a23-8b45-6c7d8e9f0a1b"
type Listing = { id: string; aliases: Array<string>; price: { agent_micro_usd: number; markup_micro_usd: number; developer_micro_usd: number; developer_usd: string } }

describe("agent catalogue on the sandbox", () => {
  test("lists the sandbox's agents with aliases, and the developer price is exactly what a call through the gateway charges", async () => {
    const g = await makeGatewayApp("sqlite")
    h = g
    await g.seedPool(1)
    const list = await readJson(await g.request("/v1/agents"))
    expect(list.status).toBe(200)
    expect(list.body.environment).toBe("live")
    const titles: Listing = list.body.agents.find((a: Listing) => a.aliases.includes("title-generator"))
    expect(titles.price.developer_micro_usd).toBe(titles.price.agent_micro_usd + titles.price.markup_micro_usd)
    const one = await readJson(await g.request("/v1/agents/title-generator"))
    expect(one).toMatchObject({ status: 200, body: titles })
    expect(one.body.input_schema).toMatchObject({ type: "object" })
    expect(titles).not.toHaveProperty("input_schema")
    expect(await readJson(await g.request(`/v1/agents/${titles.id}?environment=test`))).toMatchObject({ status: 200, body: titles })

    const { key } = await register(g)
    const call = await readJson(await g.request("/v1/agents/title-generator", { method: "POST", headers: bearer(key), json: { text: "Paid agents with one API key" } }))
    expect(call.status).toBe(200)
    expect(call.body.usage).toMatchObject({ cost_micro_usd: titles.price.developer_micro_usd, cost_usd: titles.price.developer_usd })
  })

  test("an unknown alias or id is 404 agent_not_found; a bad environment is 422; both change nothing", async () => {
    h = await makeGatewayApp("sqlite")
    expect(await readJson(await h.request("/v1/agents/no-such-agent"))).toMatchObject({ status: 404, body: { code: "agent_not_found" } })
    expect(await readJson(await h.request(`/v1/agents/${AGENT_ID}`))).toMatchObject({ status: 404, body: { code: "agent_not_found" } })
    expect(await readJson(await h.request("/v1/agents?environment=prod"))).toMatchObject({ status: 422 })
  })
})

describe("agent catalogue over a marketplace", () => {
  const startMarketplace = (down: { value: boolean }) =>
    startFake((req) => {
      if (down.value) return json({ ok: false, error: "maintenance" }, 503)
      const path = new URL(req.url).pathname
      const agents = [agent(), agent({ id: SOL_AGENT_ID, name: "Alpha", token: "SOL", token_decimals: 9, price_base: 2_000_000 })]
      if (path === "/api/agents") return json({ ok: true, agents, count: 2, pagination: { limit: 1000, offset: 0, total: 2, hasMore: false } })
      const one = agents.find((a) => path === `/api/agents/${a.id}`)
      return one ? json({ ok: true, agent: one }) : json({ ok: false, error: "Agent not found" }, 404)
    })

  test("the list is fetched once per TTL, sorted by name, SOL quotes priced at the configured rate; an outage is 502 and is not cached", async () => {
    const down = { value: false }
    fake = startMarketplace(down)
    const clock = manualClock()
    h = await makeTestApp("sqlite", { TETTO_NETWORK: "devnet", TETTO_API_URL: fake.url, MARKETPLACE_AGENT_CACHE_TTL_MS: "30000", MARKETPLACE_READ_ATTEMPTS: "1", SOL_PRICE_MICRO_USD: "150000000", MARKUP_BPS: "5000" }, { clock })
    const first = await readJson(await h.request("/v1/agents"))
    expect(first.status).toBe(200)
    expect(first.body.agents.map((a: Listing) => a.id)).toEqual([SOL_AGENT_ID, AGENT_ID])
    // 2,000,000 lamports at $150/SOL = 300,000 µUSD, plus 50 %.
    expect(first.body.agents[0].price).toMatchObject({ agent_micro_usd: 300_000, markup_micro_usd: 150_000, developer_micro_usd: 450_000, developer_usd: "0.45" })
    await h.request("/v1/agents")
    expect(fake.count("GET /api/agents")).toBe(1)

    clock.advance(30_000)
    down.value = true
    const failed = await readJson(await h.request("/v1/agents"))
    expect(failed).toMatchObject({ status: 502, body: { code: "catalogue_unavailable" } })
    expect(failed.headers.get("retry-after")).toBe("5")
    down.value = false
    expect((await readJson(await h.request("/v1/agents"))).status).toBe(200)
    expect(fake.count("GET /api/agents")).toBe(3)
  })

  test("a first caller that goes away mid-fetch does not stall the catalogue: the fetch finishes and later callers get it", async () => {
    const delay = { ms: 600 }
    fake = startFake(async (req) => {
      await Bun.sleep(delay.ms)
      const path = new URL(req.url).pathname
      return path === "/api/agents" ? json({ ok: true, agents: [agent()], count: 1, pagination: { limit: 1000, offset: 0, total: 1, hasMore: false } }) : json({ ok: false, error: "Agent not found" }, 404)
    })
    h = await makeTestApp("sqlite", { TETTO_NETWORK: "devnet", TETTO_API_URL: fake.url, MARKETPLACE_READ_ATTEMPTS: "1" })
    const abort = new AbortController()
    const first = h.request("/v1/agents", { signal: abort.signal }).catch(() => undefined)
    await Bun.sleep(100)
    abort.abort()
    await first
    delay.ms = 0
    const later = await Promise.race([readJson(await h.request("/v1/agents")), Bun.sleep(5_000).then(() => "stalled" as const)])
    expect(later).not.toBe("stalled")
    expect(later).toMatchObject({ status: 200, body: { agents: [{ id: AGENT_ID }] } })
    expect(fake.count("GET /api/agents")).toBe(1)
  })
})
