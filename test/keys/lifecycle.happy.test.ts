// The whole key lifecycle over HTTP, on every dialect.
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { makeTestApp, readJson, type TestApp } from "../support/app"
import { bearer, login, register } from "../support/accounts"
import { manualClock } from "../support/clock"
import { dialects } from "../support/db"

for (const dialect of dialects) {
  describe(`key lifecycle (${dialect})`, () => {
    let h: TestApp
    const clock = manualClock()
    beforeAll(async () => {
      h = await makeTestApp(dialect, { KEY_CACHE_TTL_MS: "5000" }, { clock })
    })
    afterAll(() => h.close())

    const whoami = async (key: string) => readJson(await h.request("/v1/key", { headers: bearer(key) }))

    test("register returns the first live key once, with the free tier's limits, and it works", async () => {
      const a = await register(h, "  Mixed.Case@Example.COM ")
      expect(a.body).toMatchObject({
        user: { email: "mixed.case@example.com", tier: "free" },
        api_key: { environment: "live", tier: "free", limits: { rate_limit_per_minute: 100, monthly_quota: 5000, concurrency: 10 } },
        message: "Save this key now: it is not shown again.",
      })
      expect(a.key).toStartWith("tk_live_")
      expect(await whoami(a.key)).toMatchObject({ status: 200, body: { id: a.keyId, tier: "free", environment: "live" } })
    })

    test("login sets an HttpOnly SameSite=Lax session cookie that works like the bearer token", async () => {
      const a = await register(h)
      const res = await h.request("/v1/auth/login", { method: "POST", json: { email: a.email.toUpperCase(), password: a.password } })
      const r = await readJson(res)
      expect(r).toMatchObject({ status: 200, body: { user: { id: a.userId } } })
      const cookie = res.headers.get("set-cookie") ?? ""
      expect(cookie).toContain("HttpOnly")
      expect(cookie).toContain("SameSite=Lax")
      const token = r.body.session.token as string
      expect(cookie).toStartWith(`tdk_session=${token};`)
      const viaCookie = await readJson(await h.request("/v1/keys", { headers: { cookie: `other=1; tdk_session=${token}` } }))
      const viaBearer = await readJson(await h.request("/v1/keys", { headers: bearer(token) }))
      expect(viaCookie).toMatchObject({ status: 200 })
      expect(viaBearer.body).toEqual(viaCookie.body)
    })

    test("the secret is shown once: listings carry the prefix, never the key or its hash", async () => {
      const a = await register(h)
      const token = await login(h, a.email)
      const created = await readJson(await h.request("/v1/keys", { method: "POST", headers: bearer(token), json: { name: "ci", environment: "test" } }))
      expect(created).toMatchObject({ status: 201, body: { name: "ci", environment: "test", status: "active" } })
      const testKey = created.body.key as string
      expect(testKey).toStartWith("tk_test_")
      const list = await readJson(await h.request("/v1/keys", { headers: bearer(token) }))
      expect(list.body.keys.map((k: { name: string }) => k.name)).toEqual(["default", "ci"])
      expect(list.text).not.toContain(testKey)
      expect(list.text).not.toContain(a.key)
      expect(list.text).not.toContain(testKey.slice(12))
      expect(list.body.keys[1]).toMatchObject({ prefix: `${testKey.slice(0, 12)}…`, ops_this_month: 0, last_used_at: null })
      expect(await whoami(testKey)).toMatchObject({ status: 200, body: { environment: "test" } })
    })

    test("roll without grace: the old secret stops at once, the new one works", async () => {
      const a = await register(h)
      const token = await login(h, a.email)
      expect((await whoami(a.key)).status).toBe(200) // now cached
      const rolled = await readJson(await h.request(`/v1/keys/${a.keyId}/roll`, { method: "POST", headers: bearer(token) }))
      expect(rolled).toMatchObject({ status: 200, body: { id: a.keyId, previous_key_valid_until: null } })
      expect(await whoami(a.key)).toMatchObject({ status: 401, body: { code: "api_key_invalid" } })
      expect(await whoami(rolled.body.key)).toMatchObject({ status: 200, body: { id: a.keyId } })
    })

    test("roll with grace: both secrets work until the grace period ends", async () => {
      const a = await register(h)
      const token = await login(h, a.email)
      const rolled = await readJson(await h.request(`/v1/keys/${a.keyId}/roll`, { method: "POST", headers: bearer(token), json: { grace_seconds: 60 } }))
      expect(rolled).toMatchObject({ status: 200, body: { previous_key_valid_until: new Date(clock.now() + 60_000).toISOString() } })
      expect((await whoami(a.key)).status).toBe(200)
      expect((await whoami(rolled.body.key)).status).toBe(200)
      clock.advance(61_000)
      expect(await whoami(a.key)).toMatchObject({ status: 401, body: { code: "api_key_invalid" } })
      expect((await whoami(rolled.body.key)).status).toBe(200)
    })

    test("revoke is effective immediately on this instance, cache or not", async () => {
      const a = await register(h)
      const token = await login(h, a.email)
      expect((await whoami(a.key)).status).toBe(200) // cached for 5 s
      const revoked = await readJson(await h.request(`/v1/keys/${a.keyId}`, { method: "DELETE", headers: bearer(token) }))
      expect(revoked).toMatchObject({ status: 200, body: { status: "revoked" } })
      expect(await whoami(a.key)).toMatchObject({ status: 401, body: { code: "api_key_revoked" } })
      const again = await readJson(await h.request(`/v1/keys/${a.keyId}/roll`, { method: "POST", headers: bearer(token) }))
      expect(again).toMatchObject({ status: 404 })
    })

    test("a user can touch only their own keys: another user's key id is 404", async () => {
      const a = await register(h)
      const b = await register(h)
      const tokenB = await login(h, b.email)
      expect(await readJson(await h.request(`/v1/keys/${a.keyId}/roll`, { method: "POST", headers: bearer(tokenB) }))).toMatchObject({ status: 404, body: { code: "key_not_found" } })
      expect(await readJson(await h.request(`/v1/keys/${a.keyId}`, { method: "DELETE", headers: bearer(tokenB) }))).toMatchObject({ status: 404, body: { code: "key_not_found" } })
      expect((await whoami(a.key)).status).toBe(200)
    })

    test("logout ends the session", async () => {
      const a = await register(h)
      const token = await login(h, a.email)
      const out = await h.request("/v1/auth/logout", { method: "POST", headers: bearer(token) })
      expect(out.status).toBe(200)
      expect(out.headers.get("set-cookie")).toContain("Max-Age=0")
      expect(await readJson(await h.request("/v1/keys", { headers: bearer(token) }))).toMatchObject({ status: 401, body: { code: "session_required" } })
    })

    test("sessions expire", async () => {
      const a = await register(h)
      const token = await login(h, a.email)
      clock.advance(7 * 86_400_000 + 1)
      expect(await readJson(await h.request("/v1/keys", { headers: bearer(token) }))).toMatchObject({ status: 401 })
    })

    test("last_used_at is written at most once a minute per key", async () => {
      const a = await register(h)
      const token = await login(h, a.email)
      const lastUsed = async () => {
        await Bun.sleep(20) // the write runs off the request path
        const list = await readJson(await h.request("/v1/keys", { headers: bearer(token) }))
        return list.body.keys[0].last_used_at as string | null
      }
      expect(await lastUsed()).toBeNull()
      await whoami(a.key)
      const first = await lastUsed()
      expect(first).toBe(new Date(clock.now()).toISOString())
      clock.advance(30_000)
      await whoami(a.key)
      expect(await lastUsed()).toBe(first)
      clock.advance(31_000)
      await whoami(a.key)
      expect(await lastUsed()).toBe(new Date(clock.now()).toISOString())
    })
  })
}
