// Sign-ups are throttled per client address on every limiter backend: past
// SIGNUP_MAX_PER_HOUR a sign-up is 429 with Retry-After and creates nothing;
// other addresses are unaffected; instances sharing a backend share the count.
import { afterAll, afterEach, describe, expect, test } from "bun:test"
import { createApp } from "../../src/app/app"
import { makeRuntime } from "../../src/app/layers"
import { memorySink } from "../../src/platform/logging/logger"
import { Store } from "../../src/store/store"
import { makeTestApp, readJson, type TestApp } from "../support/app"
import { PASSWORD, uniqueEmail } from "../support/accounts"
import type { Dialect } from "../support/db"
import { appBackends, freshAddress } from "../support/limiter-backends"
import { serve } from "../support/served"



const apps: Array<{ close: () => Promise<void> }> = []
afterEach(async () => {
  for (const a of apps.splice(0)) await a.close()
})
afterAll(async () => {
  for (const a of apps.splice(0)) await a.close()
})

const fresh = async (dialect: Dialect, env: Record<string, string>) => {
  const h = await makeTestApp(dialect, { TRUST_PROXY: "1", ...env })
  apps.push(h)
  return h
}

const signUp = async (h: TestApp, address: string, email = uniqueEmail()) =>
  ({ email, ...(await readJson(await h.request("/v1/auth/register", { method: "POST", json: { email, password: PASSWORD }, headers: { "x-forwarded-for": address } }))) })

/** Another instance over the same (Postgres) database: its own runtime, limiter store and app. */
const secondInstance = (a: TestApp): TestApp => {
  const runtime = makeRuntime(a.config, { sink: memorySink().sink })
  apps.push({ close: () => runtime.dispose() })
  const app = createApp(a.config, runtime)
  const request = (path: string, init: RequestInit & { json?: unknown } = {}) => {
    const { json, ...rest } = init
    const headers = new Headers(rest.headers)
    headers.set("content-type", "application/json")
    return app.handle(new Request(`http://localhost${path}`, { ...rest, headers, body: JSON.stringify(json) }))
  }
  return { ...a, app, runtime, request }
}

const userOf = (h: TestApp, email: string) => h.runtime.runPromise(Store.use((s) => s.users.findByEmail(email)))

for (const b of appBackends) {
  describe(`sign-up throttling (${b.name})`, () => {
    test("15 sign-ups from one address at once: 10 pass, 5 are 429 with Retry-After and create nothing; another address is unaffected", async () => {
      const h = await fresh(b.dialect, b.env)
      const address = freshAddress()
      const all = await Promise.all(Array.from({ length: 15 }, () => signUp(h, address)))
      const created = all.filter((r) => r.status === 201)
      const refused = all.filter((r) => r.status !== 201)
      expect({ created: created.length, refused: refused.map((r) => r.status) }).toEqual({ created: 10, refused: [429, 429, 429, 429, 429] })
      for (const r of refused) {
        const retryAfter = Number(r.headers.get("retry-after"))
        expect(r).toMatchObject({ body: { status: 429, code: "signup_throttled", retry_after: retryAfter } })
        expect(r.headers.get("content-type")).toBe("application/problem+json")
        // 10 an hour refills one every 6 minutes.
        expect(retryAfter).toBeGreaterThan(300)
        expect(retryAfter).toBeLessThanOrEqual(360)
        expect(await userOf(h, r.email)).toBeUndefined()
      }
      for (const r of created) expect(await userOf(h, r.email)).toBeDefined()
      expect((await signUp(h, address)).status).toBe(429)
      expect(await signUp(h, freshAddress())).toMatchObject({ status: 201 })
    })

    test("the client's entry in X-Forwarded-For counts, not what the client wrote left of it", async () => {
      const h = await fresh(b.dialect, { ...b.env, SIGNUP_MAX_PER_HOUR: "3" })
      const address = freshAddress()
      const statuses = []
      for (let i = 0; i < 5; i++) statuses.push((await signUp(h, `${freshAddress()}, ${address}`)).status)
      expect(statuses).toEqual([201, 201, 201, 429, 429])
    })

    test.skipIf(b.name === "memory")("instances on the same backend share the count", async () => {
      const a = await fresh(b.dialect, b.env)
      const other = b.name === "redis" ? await fresh(b.dialect, b.env) : secondInstance(a)
      const address = freshAddress()
      const results = await Promise.all(Array.from({ length: 12 }, (_, i) => signUp(i % 2 === 0 ? a : other, address)))
      expect(results.filter((r) => r.status === 201).length).toBe(10)
      expect(results.filter((r) => r.status === 429).length).toBe(2)
    })
  })
}

describe("sign-up throttling from the socket's address (TRUST_PROXY unset)", () => {
  test("past the limit one loopback address is refused, another is not, and a forged X-Forwarded-For changes nothing", async () => {
    const h = await makeTestApp("sqlite", { SIGNUP_MAX_PER_HOUR: "2" })
    apps.push(h)
    const s = serve(h)
    apps.push({ close: async () => s.stop() })
    const post = (from: string, headers: Record<string, string> = {}) => s.post(from, "/v1/auth/register", { email: uniqueEmail(), password: PASSWORD }, headers)
    expect((await post("127.0.0.2")).status).toBe(201)
    expect((await post("127.0.0.2", { "x-forwarded-for": "203.0.113.1" })).status).toBe(201)
    const refused = await post("127.0.0.2", { "x-forwarded-for": "203.0.113.2" })
    expect(refused).toMatchObject({ status: 429, body: { code: "signup_throttled" } })
    expect(Number(refused.headers["retry-after"])).toBeGreaterThan(0)
    expect((await post("127.0.0.3")).status).toBe(201)
  })

  test("SIGNUP_MAX_PER_HOUR sets the limit; 0 turns the throttle off", async () => {
    const statuses = async (max: string, n: number) => {
      const h = await makeTestApp("sqlite", { SIGNUP_MAX_PER_HOUR: max })
      apps.push(h)
      const out: Array<number> = []
      for (let i = 0; i < n; i++) out.push((await readJson(await h.request("/v1/auth/register", { method: "POST", json: { email: uniqueEmail(), password: PASSWORD } }))).status)
      return out
    }
    expect(await statuses("2", 3)).toEqual([201, 201, 429])
    expect(new Set(await statuses("0", 12))).toEqual(new Set([201]))
  })
})
