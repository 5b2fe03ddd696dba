// The operator API: absent without a token, closed to wrong tokens, and its
// changes take effect on the next call.
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { makeTestApp, readJson, type TestApp } from "../support/app"
import { bearer, register } from "../support/accounts"
import { dialects } from "../support/db"

const ADMIN = "admin-token-0123456789-abcdefghij"

describe("admin routes without ADMIN_TOKEN", () => {
  test("do not exist", async () => {
    const h = await makeTestApp("sqlite")
    expect(await readJson(await h.request("/admin/users", { headers: bearer(ADMIN) }))).toMatchObject({ status: 404, body: { code: "route_not_found" } })
    await h.close()
  })
})

for (const dialect of dialects) {
  describe(`admin routes (${dialect})`, () => {
    let h: TestApp
    beforeAll(async () => {
      h = await makeTestApp(dialect, { ADMIN_TOKEN: ADMIN })
    })
    afterAll(() => h.close())

    const admin = async (path: string, init: RequestInit & { json?: unknown } = {}, token = ADMIN) =>
      readJson(await h.request(path, { ...init, headers: { ...bearer(token), ...(init.headers as Record<string, string>) } }))
    const whoami = async (key: string) => readJson(await h.request("/v1/key", { headers: bearer(key) }))

    test("refuse a missing or wrong token", async () => {
      expect(await readJson(await h.request("/admin/users"))).toMatchObject({ status: 401, body: { code: "admin_unauthorized" } })
      expect(await admin("/admin/users", {}, ADMIN + "x")).toMatchObject({ status: 401 })
      expect(await admin("/admin/users", {}, ADMIN.slice(0, -1))).toMatchObject({ status: 401 })
      const a = await register(h)
      expect(await admin("/admin/users", {}, a.key)).toMatchObject({ status: 401 })
    })

    test("list users and keys with cursor pagination, never a secret", async () => {
      const a = await register(h)
      const b = await register(h)
      const users = await admin("/admin/users?limit=500")
      expect(users.status).toBe(200)
      expect(users.body.users.map((u: { email: string }) => u.email)).toEqual(expect.arrayContaining([a.email, b.email]))
      const page1 = await admin("/admin/keys?limit=1")
      const first = page1.body.keys[0].id as string
      expect({ status: page1.status, count: page1.body.keys.length, next: page1.body.next }).toEqual({ status: 200, count: 1, next: first })
      const page2 = await admin(`/admin/keys?limit=1&after=${page1.body.next}`)
      expect(page2.body.keys[0].id > first).toBe(true)
      const all = await admin("/admin/keys?limit=500")
      expect(all.text).not.toContain(a.key)
      expect(all.text).not.toContain(b.key)
      expect(all.text).not.toContain("password")
    })

    test("suspend → 403 with the reason on the next call; reinstate → works again", async () => {
      const a = await register(h)
      expect((await whoami(a.key)).status).toBe(200)
      expect(await admin(`/admin/keys/${a.keyId}/suspend`, { method: "POST", json: { reason: "abuse report #12" } })).toMatchObject({ status: 200, body: { status: "suspended", status_reason: "abuse report #12" } })
      expect(await whoami(a.key)).toMatchObject({ status: 403, body: { code: "api_key_suspended", reason: "abuse report #12" } })
      expect(await admin(`/admin/keys/${a.keyId}/reinstate`, { method: "POST" })).toMatchObject({ status: 200, body: { status: "active", status_reason: null } })
      expect((await whoami(a.key)).status).toBe(200)
    })

    test("tier and per-key limits change what the key gets; null resets to the tier", async () => {
      const a = await register(h)
      expect(await admin(`/admin/keys/${a.keyId}`, { method: "PATCH", json: { tier: "pro", rate_limit_per_minute: 42 } })).toMatchObject({ status: 200, body: { tier: "pro", limits: { rate_limit_per_minute: 42, monthly_quota: null } } })
      expect(await whoami(a.key)).toMatchObject({ status: 200, body: { tier: "pro", limits: { rate_limit_per_minute: 42 } } })
      await admin(`/admin/keys/${a.keyId}`, { method: "PATCH", json: { rate_limit_per_minute: null } })
      expect(await whoami(a.key)).toMatchObject({ body: { limits: { rate_limit_per_minute: 10_000 } } })
    })

    test("bad admin input is 4xx and changes nothing", async () => {
      const a = await register(h)
      expect(await admin(`/admin/keys/${a.keyId}`, { method: "PATCH", json: { tier: "platinum" } })).toMatchObject({ status: 422 })
      expect(await admin(`/admin/keys/${a.keyId}`, { method: "PATCH", json: { rate_limit_per_minute: -1 } })).toMatchObject({ status: 422 })
      // The limiter's range: at least one call and at most one per microsecond.
      for (const rate of [0, 60_000_001, 1e12]) expect({ rate, r: await admin(`/admin/keys/${a.keyId}`, { method: "PATCH", json: { rate_limit_per_minute: rate } }) }).toMatchObject({ rate, r: { status: 422 } })
      for (const body of [7, "tier", null, [], [{ tier: "pro" }]]) expect({ body, r: await admin(`/admin/keys/${a.keyId}`, { method: "PATCH", json: body }) }).toMatchObject({ body, r: { status: 422 } })
      expect(await admin(`/admin/keys/${a.keyId}/suspend`, { method: "POST", json: {} })).toMatchObject({ status: 422 })
      expect(await admin("/admin/keys/key_nope/suspend", { method: "POST", json: { reason: "x" } })).toMatchObject({ status: 404 })
      expect(await admin("/admin/users?limit=0")).toMatchObject({ status: 422 })
      expect(await whoami(a.key)).toMatchObject({ status: 200, body: { tier: "free" } })
    })

    test("a revoked key cannot be reinstated", async () => {
      const a = await register(h)
      const token = (await readJson(await h.request("/v1/auth/login", { method: "POST", json: { email: a.email, password: a.password } }))).body.session.token
      await h.request(`/v1/keys/${a.keyId}`, { method: "DELETE", headers: bearer(token) })
      expect(await admin(`/admin/keys/${a.keyId}/reinstate`, { method: "POST" })).toMatchObject({ status: 200, body: { status: "revoked" } })
      expect((await whoami(a.key)).status).toBe(401)
    })
  })
}
