// GET /v1/usage/daily over real paid calls to the sandbox, with a manual
// clock so days are exact: settled calls per UTC day and agent, from the day
// counters, for a key or (with a session) all its user's keys; on every dialect.
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { titleGenerator } from "../../src/modules/sandbox/agents/text"
import { warmMemory } from "../../src/modules/sandbox/agents/warm-memory"
import { readJson } from "../support/app"
import { bearer, login, register } from "../support/accounts"
import { manualClock, type ManualClock } from "../support/clock"
import { dialects } from "../support/db"
import { makeGatewayApp, type GatewayApp } from "../support/gateway"

const HOUR = 3_600_000

for (const dialect of dialects) {
  describe(`usage per day (${dialect})`, () => {
    let g: GatewayApp
    let clock: ManualClock
    beforeAll(async () => {
      // Two hours before midnight UTC, so calls land on two days.
      clock = manualClock(Date.UTC(2026, 10, 14, 22, 0, 0))
      g = await makeGatewayApp(dialect, {}, { clock })
      await g.seedPool(2)
    })
    afterAll(() => g.close())

    const call = async (key: string, agent: string, input: unknown) => {
      const r = await readJson(await g.request(`/v1/agents/${agent}`, { method: "POST", json: input, headers: bearer(key) }))
      expect(r.status).toBe(200)
    }
    const get = async (path: string, headers: Record<string, string>) => readJson(await g.request(path, { headers }))

    test("a key's settled calls per day and agent, days ascending; a session sees every key of the user; the default is the last 30 days", async () => {
      const a = await register(g)
      await call(a.key, "title-generator", { text: "Days are UTC." })
      await call(a.key, "title-generator", { text: "Two on the first day." })
      await call(a.key, "warmmemory", { action: "store", key: "k", value: "v" })
      clock.advance(3 * HOUR) // 01:00 on the 15th
      await call(a.key, "title-generator", { text: "One on the next day." })
      // A refused call (bad input) costs nothing and counts nowhere.
      expect((await readJson(await g.request("/v1/agents/warmmemory", { method: "POST", json: { action: "explode" }, headers: bearer(a.key) }))).status).toBe(422)

      const title = { id: titleGenerator.id, name: titleGenerator.name }
      const memory = { id: warmMemory.id, name: warmMemory.name }
      const expected = [
        { day: "2026-11-14", agent: title, calls: 2, spend_micro_usd: 30_000, spend_usd: "0.03" },
        { day: "2026-11-14", agent: memory, calls: 1, spend_micro_usd: 1_500, spend_usd: "0.0015" },
        { day: "2026-11-15", agent: title, calls: 1, spend_micro_usd: 15_000, spend_usd: "0.015" },
      ].sort((x, y) => x.day.localeCompare(y.day) || x.agent.id.localeCompare(y.agent.id))
      expect(await get("/v1/usage/daily", bearer(a.key))).toMatchObject({ status: 200, body: { scope: "key", from: "2026-10-17", to: "2026-11-15", days: expected } })
      expect((await get("/v1/usage/daily?from=2026-11-15&to=2026-11-15", bearer(a.key))).body.days).toEqual(expected.filter((d) => d.day === "2026-11-15"))

      // A second key of the same user: its calls join the session's view, not the first key's.
      const second = await readJson(await g.request("/v1/keys", { method: "POST", json: { name: "second" }, headers: bearer(await login(g, a.email)) }))
      await call(second.body.key, "title-generator", { text: "Another key." })
      const session = bearer(await login(g, a.email))
      const user = await get("/v1/usage/daily?from=2026-11-14", session)
      expect(user.body.scope).toBe("user")
      expect(user.body.days.find((d: { day: string; agent: { id: string } }) => d.day === "2026-11-15" && d.agent.id === titleGenerator.id)).toMatchObject({ calls: 2, spend_micro_usd: 30_000 })
      expect((await get("/v1/usage/daily?from=2026-11-14", bearer(a.key))).body.days).toEqual(expected)
    })

    test("a bad range is a 422 naming the field, and changes nothing", async () => {
      const a = await register(g)
      for (const [query, field] of [["from=2026-02-30", "from"], ["to=yesterday", "to"], ["from=2026-11-10&to=2026-11-09", "to"], ["from=2024-01-01&to=2026-01-01", "from"]] as const) {
        const r = await get(`/v1/usage/daily?${query}`, bearer(a.key))
        expect({ query, status: r.status, code: r.body.code, fields: r.body.errors?.map((e: { field: string }) => e.field) }).toEqual({ query, status: 422, code: "invalid_input", fields: [field] })
      }
      expect((await get("/v1/usage/daily", {})).status).toBe(401)
    })
  })
}
