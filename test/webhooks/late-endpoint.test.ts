// An endpoint registered after a fact was first told (with nobody to tell)
// still hears of it the next time the fact comes up: here the quota reached,
// refused again after the endpoint exists.
import { afterAll, describe, expect, test } from "bun:test"
import { deliverDue } from "../../src/modules/webhooks/delivery"
import { readJson } from "../support/app"
import { bearer, login, register } from "../support/accounts"
import { dialects } from "../support/db"
import { makeGatewayApp } from "../support/gateway"

const ADMIN_TOKEN = "late-endpoint-admin-token-0123456789abcdef"
const seen: Array<{ type: string; data: Record<string, unknown> }> = []
const receiver = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: async (req) => (seen.push(JSON.parse(await req.text())), new Response(null, { status: 204 })) })
afterAll(() => receiver.stop(true))

for (const dialect of dialects) {
  describe(`a webhook endpoint added late (${dialect})`, () => {
    test("gets the quota event when the next call is refused, though the fact was told before it existed", async () => {
      const g = await makeGatewayApp(dialect, { ADMIN_TOKEN, WEBHOOK_ALLOW_PRIVATE_HOSTS: "true" })
      try {
        await g.seedPool(1)
        const a = await register(g)
        expect((await g.request(`/admin/keys/${a.keyId}`, { method: "PATCH", headers: bearer(ADMIN_TOKEN), json: { monthly_quota: 1 } })).status).toBe(200)
        const call = () => g.request("/v1/agents/title-generator", { method: "POST", headers: bearer(a.key), json: { text: "late endpoint" } })
        expect((await call()).status).toBe(200) // reaches 100 %: nobody to tell
        expect((await call()).status).toBe(402) // refused: the same fact, still nobody
        const session = await login(g, a.email)
        const url = `http://127.0.0.1:${receiver.port}/${dialect}`
        expect((await readJson(await g.request("/v1/webhook-endpoints", { method: "POST", headers: bearer(session), json: { url } }))).status).toBe(201)
        const before = seen.length
        expect((await call()).status).toBe(402)
        await g.runtime.runPromise(deliverDue())
        expect(seen.slice(before)).toEqual([expect.objectContaining({ type: "usage.quota_threshold", data: expect.objectContaining({ threshold: 100, quota: 1 }) })])
      } finally {
        await g.close()
      }
    }, 60_000)
  })
}
