// GET /v1/usage/current and /v1/usage/history over real paid calls to the
// sandbox, with a manual clock so times and months are exact, on every dialect.
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { titleGenerator } from "../../src/modules/sandbox/agents/text"
import { warmMemory } from "../../src/modules/sandbox/agents/warm-memory"
import { readJson } from "../support/app"
import { bearer, login, register } from "../support/accounts"
import { manualClock, type ManualClock } from "../support/clock"
import { dialects } from "../support/db"
import { makeGatewayApp, type GatewayApp } from "../support/gateway"

const MINUTE = 60_000

for (const dialect of dialects) {
  describe(`usage routes (${dialect})`, () => {
    let g: GatewayApp
    let clock: ManualClock
    beforeAll(async () => {
      clock = manualClock(Date.UTC(2026, 10, 15, 12, 0, 0))
      g = await makeGatewayApp(dialect, {}, { clock })
      await g.seedPool(2)
    })
    afterAll(() => g.close())

    /** One paid call, then a minute passes, so every call has its own time. */
    const call = async (key: string, agent: string, input: unknown) => {
      const r = await readJson(await g.request(`/v1/agents/${agent}`, { method: "POST", json: input, headers: bearer(key) }))
      clock.advance(MINUTE)
      return r
    }
    const memory = (key: string, n: number) => call(key, "warmmemory", { action: "store", key: `k${n}`, value: `v${n}` })
    const title = (key: string) => call(key, "title-generator", { text: "Usage is the ledger." })
    const get = async (path: string, headers: Record<string, string>) => readJson(await g.request(path, { headers }))

    test("usage/current shows this month's exact ops and spend, per agent, against the key's limits", async () => {
      const a = await register(g)
      const empty = await get("/v1/usage/current", bearer(a.key))
      expect(empty).toMatchObject({ status: 200, body: { key_id: a.keyId, ops: 0, spend_micro_usd: 0, spend_usd: "0", quota: 5000, quota_remaining: 5000, by_agent: [] } })

      expect((await memory(a.key, 1)).status).toBe(200)
      expect((await memory(a.key, 2)).status).toBe(200)
      expect((await title(a.key)).status).toBe(200)
      // Refused by the agent before payment: not counted, not charged.
      expect((await call(a.key, "title-generator", { wrong: "field" })).status).toBe(422)

      const r = await get("/v1/usage/current", bearer(a.key))
      expect(r).toEqual({
        status: 200,
        text: r.text,
        headers: r.headers,
        body: {
          key_id: a.keyId,
          environment: "live",
          period: { name: "2026-11", start: "2026-11-01T00:00:00.000Z", end: "2026-12-01T00:00:00.000Z" },
          ops: 3,
          spend_micro_usd: 18_000,
          spend_usd: "0.018",
          quota: 5000,
          quota_remaining: 4997,
          spend_cap_micro_usd: null,
          spend_cap_usd: null,
          spend_remaining_micro_usd: null,
          spend_remaining_usd: null,
          by_agent: [
            { agent: { id: titleGenerator.id, name: titleGenerator.name }, ops: 1, spend_micro_usd: 15_000, spend_usd: "0.015" },
            { agent: { id: warmMemory.id, name: warmMemory.name }, ops: 2, spend_micro_usd: 3000, spend_usd: "0.003" },
          ],
          rate_limit_per_minute: 100,
          concurrency: 10,
        },
      })
    })

    test("history pages newest first without repeats or gaps; each row carries prices, token and receipt", async () => {
      const c = await register(g)
      const started: Array<number> = []
      for (let i = 0; i < 5; i++) {
        started.push(clock.now())
        expect((await memory(c.key, i)).status).toBe(200)
      }
      const all = await get("/v1/usage/history", bearer(c.key))
      expect(all).toMatchObject({ status: 200, body: { scope: "key", next: null } })
      expect(all.body.rows.map((r: { created_at: string }) => r.created_at)).toEqual([...started].reverse().map((t) => new Date(t).toISOString()))

      const seen: Array<string> = []
      let before: string | null = null
      const sizes: Array<number> = []
      do {
        const page: Awaited<ReturnType<typeof get>> = await get(`/v1/usage/history?limit=2${before ? `&before=${before}` : ""}`, bearer(c.key))
        expect(page).toMatchObject({ status: 200 })
        sizes.push(page.body.rows.length)
        seen.push(...page.body.rows.map((r: { id: string }) => r.id))
        before = page.body.next
      } while (before !== null && sizes.length < 10)
      expect(sizes).toEqual([2, 2, 1])
      expect(seen).toEqual(all.body.rows.map((r: { id: string }) => r.id))
      expect(new Set(seen).size).toBe(5)

      const newest = all.body.rows[0]
      expect(newest).toEqual({
        id: expect.stringMatching(/^use_/),
        key_id: c.keyId,
        environment: "live",
        agent: { id: warmMemory.id, name: warmMemory.name },
        agent_price_micro_usd: 1000,
        agent_price_usd: "0.001",
        markup_micro_usd: 500,
        markup_usd: "0.0005",
        developer_price_micro_usd: 1500,
        developer_price_usd: "0.0015",
        token: "USDC",
        price_base: 1000,
        state: "settled",
        tx_signature: expect.stringMatching(/^[1-9A-HJ-NP-Za-km-z]{64,88}$/),
        receipt_id: expect.any(String),
        created_at: new Date(started[4]!).toISOString(),
        settled_at: new Date(started[4]!).toISOString(),
      })
    })

    test("history filters by agent (alias or UUID) and by time [from, to)", async () => {
      const d = await register(g)
      const t0 = clock.now()
      await memory(d.key, 1) // t0
      await title(d.key) // t0 + 1 min
      await memory(d.key, 2) // t0 + 2 min
      await title(d.key) // t0 + 3 min
      const agentsOf = (r: { body: { rows: Array<{ agent: { id: string } }> } }) => r.body.rows.map((x) => x.agent.id)

      const byAlias = await get("/v1/usage/history?agent=title-generator", bearer(d.key))
      expect({ status: byAlias.status, agents: agentsOf(byAlias) }).toEqual({ status: 200, agents: [titleGenerator.id, titleGenerator.id] })
      const byUuid = await get(`/v1/usage/history?agent=${warmMemory.id}`, bearer(d.key))
      expect({ status: byUuid.status, agents: agentsOf(byUuid) }).toEqual({ status: 200, agents: [warmMemory.id, warmMemory.id] })

      const iso = (ms: number) => encodeURIComponent(new Date(ms).toISOString())
      const window = await get(`/v1/usage/history?from=${iso(t0 + MINUTE)}&to=${iso(t0 + 3 * MINUTE)}`, bearer(d.key))
      expect(window).toMatchObject({ status: 200 })
      expect(window.body.rows.map((r: { created_at: string }) => r.created_at)).toEqual([new Date(t0 + 2 * MINUTE).toISOString(), new Date(t0 + MINUTE).toISOString()])
      const both = await get(`/v1/usage/history?from=${iso(t0 + MINUTE)}&agent=warmmemory`, bearer(d.key))
      expect(both.body.rows.map((r: { created_at: string }) => r.created_at)).toEqual([new Date(t0 + 2 * MINUTE).toISOString()])
    })

    test("with a session, history shows every key of the user and never another user's rows", async () => {
      const u = await register(g)
      const token = await login(g, u.email)
      const created = await readJson(await g.request("/v1/keys", { method: "POST", json: { name: "second" }, headers: bearer(token) }))
      expect(created).toMatchObject({ status: 201 })
      const second = { keyId: created.body.id as string, key: created.body.key as string }
      const other = await register(g)
      await memory(u.key, 1)
      await memory(other.key, 1)
      await title(second.key)
      await memory(u.key, 2)

      const keyIdsOf = (r: { body: { rows: Array<{ key_id: string }> } }) => r.body.rows.map((x) => x.key_id)
      const viaBearer = await get("/v1/usage/history", bearer(token))
      expect({ status: viaBearer.status, scope: viaBearer.body.scope, keys: keyIdsOf(viaBearer) }).toEqual({ status: 200, scope: "user", keys: [u.keyId, second.keyId, u.keyId] })
      const viaCookie = await get("/v1/usage/history", { cookie: `theme=dark; tdk_session=${token}` })
      expect({ status: viaCookie.status, scope: viaCookie.body.scope, keys: keyIdsOf(viaCookie) }).toEqual({ status: 200, scope: "user", keys: [u.keyId, second.keyId, u.keyId] })
      // An API key in Authorization wins over the cookie: that key's rows only.
      const keyOverCookie = await get("/v1/usage/history", { ...bearer(second.key), cookie: `tdk_session=${token}` })
      expect({ status: keyOverCookie.status, scope: keyOverCookie.body.scope, keys: keyIdsOf(keyOverCookie) }).toEqual({ status: 200, scope: "key", keys: [second.keyId] })
      // The other user sees only their own.
      const theirs = await get("/v1/usage/history", bearer(other.key))
      expect(keyIdsOf(theirs)).toEqual([other.keyId])
      // A session page and its cursor stay within the user too.
      const page = await get("/v1/usage/history?limit=1", bearer(token))
      const next = await get(`/v1/usage/history?limit=5&before=${page.body.next}`, bearer(token))
      expect(keyIdsOf(next)).toEqual([second.keyId, u.keyId])
    })

    test("a session token that is not live is 401; a session does not open usage/current", async () => {
      const u = await register(g)
      const token = await login(g, u.email)
      expect(await get("/v1/usage/history", bearer("tks_1111111111111111111111111111111"))).toMatchObject({ status: 401, body: { code: "session_required" } })
      expect(await get("/v1/usage/history", { cookie: "tdk_session=tks_1111111111111111111111111111111" })).toMatchObject({ status: 401, body: { code: "session_required" } })
      expect(await get("/v1/usage/current", bearer(token))).toMatchObject({ status: 401, body: { code: "api_key_malformed" } })
    })

    test("bad history filters are 422 naming the field", async () => {
      const a = await register(g)
      const cases: ReadonlyArray<[string, string]> = [
        ["from=yesterday", "from"],
        ["from=2026-13-01T00:00:00Z", "from"],
        ["to=2026-11-01T00:00:00", "to"],
        ["from=2026-11-02T00:00:00Z&to=2026-11-01T00:00:00Z", "to"],
        ["agent=no-such-agent", "agent"],
        ["limit=0", "limit"],
        ["limit=201", "limit"],
        ["limit=abc", "limit"],
        ["before=use_x", "before"],
      ]
      for (const [query, field] of cases) {
        const r = await get(`/v1/usage/history?${query}`, bearer(a.key))
        expect({ query, status: r.status, body: r.body }).toMatchObject({ status: 422, body: { code: "invalid_input", errors: [{ field }] } })
      }
      expect(await get("/v1/usage/history?limit=200&from=2026-11-01", bearer(a.key))).toMatchObject({ status: 200, body: { rows: [] } })
    })

    // Last: it moves the clock into the next month.
    test("a new month starts from zero while history keeps the old rows", async () => {
      const a = await register(g)
      await memory(a.key, 1)
      expect(await get("/v1/usage/current", bearer(a.key))).toMatchObject({ status: 200, body: { ops: 1, spend_micro_usd: 1500 } })
      clock.set(Date.UTC(2026, 11, 1, 0, 0, 0))
      const next = await get("/v1/usage/current", bearer(a.key))
      expect(next).toMatchObject({ status: 200, body: { period: { name: "2026-12" }, ops: 0, spend_micro_usd: 0, quota_remaining: 5000, by_agent: [] } })
      expect((await get("/v1/usage/history", bearer(a.key))).body.rows).toHaveLength(1)
    })
  })
}
