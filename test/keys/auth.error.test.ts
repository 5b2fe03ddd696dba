// Refusals of the account and key APIs, on every dialect.
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { generateApiKey } from "../../src/modules/keys/key-format"
import { makeTestApp, readJson, type TestApp } from "../support/app"
import { PASSWORD, bearer, login, register, uniqueEmail } from "../support/accounts"
import { dialects } from "../support/db"

for (const dialect of dialects) {
  describe(`accounts and keys refuse bad input (${dialect})`, () => {
    let h: TestApp
    beforeAll(async () => {
      h = await makeTestApp(dialect, { LOGIN_MAX_FAILURES: "3" })
    })
    afterAll(() => h.close())

    const post = async (path: string, json: unknown, headers: Record<string, string> = {}) => readJson(await h.request(path, { method: "POST", json, headers }))

    test("a duplicate email, in any case, is 409", async () => {
      const a = await register(h)
      expect(await post("/v1/auth/register", { email: a.email.toUpperCase(), password: PASSWORD })).toMatchObject({ status: 409, body: { code: "email_taken" } })
    })

    test("a weak password or a bad email is 422 naming the field", async () => {
      const weak = await post("/v1/auth/register", { email: uniqueEmail(), password: "short" })
      expect(weak).toMatchObject({ status: 422, body: { code: "invalid_input", errors: [{ field: "password" }] } })
      const bad = await post("/v1/auth/register", { email: "not-an-email", password: PASSWORD })
      expect(bad).toMatchObject({ status: 422, body: { errors: [{ field: "email" }] } })
      const missing = await post("/v1/auth/register", { email: uniqueEmail() })
      expect(missing).toMatchObject({ status: 422 })
      expect(missing.body.errors.map((e: { field: string }) => e.field)).toContain("password")
    })

    test("injection-shaped input is refused and changes nothing", async () => {
      expect(await post("/v1/auth/register", { email: "' OR 1=1 --@example.com", password: PASSWORD })).toMatchObject({ status: 422 })
      expect(await post("/v1/auth/register", { email: "x@example.com'; DROP TABLE users; --", password: PASSWORD })).toMatchObject({ status: 422 })
      const a = await register(h)
      const token = await login(h, a.email)
      expect(await readJson(await h.request(`/v1/keys/${encodeURIComponent("' OR '1'='1")}`, { method: "DELETE", headers: bearer(token) }))).toMatchObject({ status: 404 })
      expect(await post("/v1/auth/login", { email: "' OR ''='", password: "' OR ''='" })).toMatchObject({ status: 401 })
      expect((await readJson(await h.request("/v1/key", { headers: bearer(a.key) }))).status).toBe(200)
    })

    test("oversized input is 413 or 422, never 500", async () => {
      expect(await post("/v1/auth/register", { email: uniqueEmail(), password: "p".repeat(2 * 1024 * 1024) })).toMatchObject({ status: 413 })
      expect(await post("/v1/auth/register", { email: `${"a".repeat(400)}@example.com`, password: PASSWORD })).toMatchObject({ status: 422 })
      const a = await register(h)
      const token = await login(h, a.email)
      expect(await post("/v1/keys", { name: "n".repeat(5000) }, bearer(token))).toMatchObject({ status: 422 })
      expect(await post("/v1/keys", { name: "ok", environment: "prod" }, bearer(token))).toMatchObject({ status: 422 })
      expect(await readJson(await h.request(`/v1/keys/${"k".repeat(500)}`, { method: "DELETE", headers: bearer(token) }))).toMatchObject({ status: 422 })
    })

    test("key management needs a session; an API key is not a session", async () => {
      const a = await register(h)
      expect(await readJson(await h.request("/v1/keys"))).toMatchObject({ status: 401, body: { code: "session_required" } })
      expect(await readJson(await h.request("/v1/keys", { headers: bearer(a.key) }))).toMatchObject({ status: 401, body: { code: "session_required" } })
      expect(await readJson(await h.request("/v1/keys", { headers: bearer("tks_1111111111111111111111111111111") }))).toMatchObject({ status: 401 })
    })

    test("login failures say nothing about whether the email exists, and are throttled per account and address", async () => {
      const a = await register(h)
      const wrong = await post("/v1/auth/login", { email: a.email, password: "wrong password!!" })
      const unknown = await post("/v1/auth/login", { email: uniqueEmail(), password: "wrong password!!" })
      expect(wrong).toMatchObject({ status: 401, body: { code: "invalid_credentials" } })
      expect(unknown.body.detail).toBe(wrong.body.detail)
      expect(unknown.status).toBe(wrong.status)
      await post("/v1/auth/login", { email: a.email, password: "wrong password!!" })
      await post("/v1/auth/login", { email: a.email, password: "wrong password!!" })
      // Past the limit even the right password is refused for a while.
      const throttled = await post("/v1/auth/login", { email: a.email, password: PASSWORD })
      expect(throttled).toMatchObject({ status: 429, body: { code: "login_throttled" } })
      expect(Number(throttled.headers.get("retry-after"))).toBeGreaterThan(0)
    })
  })
}

describe("API key authentication", () => {
  let h: TestApp
  beforeAll(async () => {
    h = await makeTestApp("sqlite")
  })
  afterAll(() => h.close())

  const whoami = async (authorization?: string) => readJson(await h.request("/v1/key", { headers: authorization === undefined ? {} : { authorization } }))

  test("a missing or non-bearer header is 401 saying the expected form", async () => {
    const r = await whoami()
    expect(r).toMatchObject({ status: 401, body: { code: "api_key_missing" } })
    expect(r.body.detail).toContain("Authorization: Bearer tk_live_")
    expect(await whoami("Basic dXNlcjpwYXNz")).toMatchObject({ status: 401, body: { code: "api_key_missing" } })
    expect(r.headers.get("www-authenticate")).toContain("Bearer")
  })

  test("a well-formed key that does not exist is 401", async () => {
    expect(await whoami(`Bearer ${generateApiKey("live")}`)).toMatchObject({ status: 401, body: { code: "api_key_invalid" } })
  })

  test("a wrong checksum is rejected without a database query", async () => {
    const a = await register(h)
    const typo = a.key.slice(0, 20) + (a.key[20] === "a" ? "b" : "a") + a.key.slice(21)
    await h.closeDatabase()
    // With the database gone, anything that queries it answers 503.
    expect(await whoami(`Bearer ${generateApiKey("live")}`)).toMatchObject({ status: 503, body: { code: "store_unavailable" } })
    expect(await whoami(`Bearer ${typo}`)).toMatchObject({ status: 401, body: { code: "api_key_malformed" } })
    expect(await whoami("Bearer tk_live_short")).toMatchObject({ status: 401, body: { code: "api_key_malformed" } })
  })
})
