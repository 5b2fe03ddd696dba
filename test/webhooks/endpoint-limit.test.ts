// The endpoint limit holds under concurrency: 24 registrations at once give
// exactly 16 endpoints, the rest a 409 naming the limit, and a deleted
// endpoint makes room for one more.
import { describe, expect, test } from "bun:test"
import { bearer, login, register } from "../support/accounts"
import { makeTestApp, readJson } from "../support/app"
import { dialects } from "../support/db"

for (const dialect of dialects) {
  describe(`webhook endpoint limit (${dialect})`, () => {
    test("24 registrations at once: exactly 16 endpoints, the others refused; deleting one makes room for one", async () => {
      const h = await makeTestApp(dialect, { WEBHOOK_ALLOW_PRIVATE_HOSTS: "true" })
      try {
        const a = await register(h)
        const session = await login(h, a.email)
        const create = (i: number) => h.request("/v1/webhook-endpoints", { method: "POST", headers: bearer(session), json: { url: `http://127.0.0.1:9/hook-${i}` } }).then(readJson)
        const results = await Promise.all(Array.from({ length: 24 }, (_, i) => create(i)))
        const statuses = results.map((r) => r.status)
        expect(statuses.filter((s) => s === 201)).toHaveLength(16)
        const refused = results.filter((r) => r.status !== 201)
        expect(refused).toHaveLength(8)
        for (const r of refused) expect(r).toMatchObject({ status: 409, body: { code: "webhook_endpoint_limit" } })
        const listed = await readJson(await h.request("/v1/webhook-endpoints", { headers: bearer(session) }))
        expect(listed.body.endpoints).toHaveLength(16)
        const gone = await h.request(`/v1/webhook-endpoints/${listed.body.endpoints[0].id}`, { method: "DELETE", headers: bearer(session) })
        expect(gone.status).toBe(200)
        expect((await create(100)).status).toBe(201)
        expect(await create(101)).toMatchObject({ status: 409, body: { code: "webhook_endpoint_limit" } })
      } finally {
        await h.close()
      }
    }, 60_000)
  })
}
