// Exactness under concurrency, through the whole pipeline against the
// sandbox: quotas and rate limits let through exactly their number of calls,
// the pool pays exactly that many times, and the ledger matches the sandbox.
import { afterAll, describe, expect, test } from "bun:test"
import { Effect } from "effect"
import { sandboxOwnerWallet } from "../../src/modules/sandbox/identities"
import { Store } from "../../src/store/store"
import { readJson } from "../support/app"
import { bearer, register } from "../support/accounts"
import { dialects } from "../support/db"
import { manualClock } from "../support/clock"
import { makeGatewayApp, type GatewayApp } from "../support/gateway"

const redisUrl = process.env.TEST_REDIS_URL
const owner = sandboxOwnerWallet("warm-memory").toBase58()
// WarmMemory costs 1000 base units; the owner keeps 900, the protocol 100.
const OWNER_SHARE = 900

const fire = async (g: GatewayApp, key: string, n: number) =>
  Promise.all(
    Array.from({ length: n }, (_, i) =>
      g.request("/v1/agents/warmmemory", { method: "POST", json: { action: "store", key: `k${i}`, value: "v" }, headers: bearer(key) }).then(readJson),
    ),
  )

const settledRows = (g: GatewayApp, keyId: string) =>
  g.runtime.runPromise(Effect.flatMap(Store, (s) => s.usage.history({ keyId, limit: 10_000 }))).then((rows) => rows.filter((r) => r.state === "settled"))

const statusCounts = (results: ReadonlyArray<{ status: number }>) =>
  results.reduce<Record<number, number>>((acc, r) => ({ ...acc, [r.status]: (acc[r.status] ?? 0) + 1 }), {})

const opened: Array<GatewayApp> = []
afterAll(async () => {
  for (const g of opened) await g.close()
})

for (const dialect of dialects) {
  describe(`quota under concurrency (${dialect})`, () => {
    test("a quota of 50 under 200 concurrent calls: exactly 50 settle, 150 get 402, the pool pays 50 times", async () => {
      const g = await makeGatewayApp(dialect, { TIERS_JSON: JSON.stringify({ free: { ratePerMinute: 10_000, monthlyQuota: 50, concurrency: 500 } }) })
      opened.push(g)
      const [wallet] = await g.seedPool(1)
      const a = await register(g)
      const ownerBefore = await g.usdcBalance(owner)
      const poolBefore = await g.usdcBalance(wallet!.publicKey)

      const results = await fire(g, a.key, 200)
      expect(statusCounts(results)).toEqual({ 200: 50, 402: 150 })
      const refused = results.find((r) => r.status === 402)!
      expect(refused.body).toMatchObject({ code: "quota_exhausted", limit: 50, used: 50 })

      const rows = await settledRows(g, a.keyId)
      expect(rows.length).toBe(50)
      expect(await g.usdcBalance(owner)).toBe(ownerBefore + 50 * OWNER_SHARE)
      // Every usage row sums to what left the pool, to the unit.
      const ledger = rows.reduce((sum, r) => sum + r.priceBase, 0)
      expect(poolBefore - (await g.usdcBalance(wallet!.publicKey))).toBe(ledger)
      expect(rows.reduce((sum, r) => sum + r.developerPriceMicroUsd, 0)).toBe(50 * 1500)
    })
  })
}

type Backend = { name: string; dialect: "sqlite" | "postgres"; env: Record<string, string> }
const backends: Array<Backend> = [{ name: "memory", dialect: "sqlite", env: {} }]
if (dialects.includes("postgres")) backends.push({ name: "postgres", dialect: "postgres", env: { RATE_LIMIT_BACKEND: "postgres" } })
if (redisUrl) backends.push({ name: "redis", dialect: "sqlite", env: { RATE_LIMIT_BACKEND: "redis", REDIS_URL: redisUrl } })
else if (process.env.TDK_TEST_SERVICES === "1") throw new Error("TEST_REDIS_URL is required when run by scripts/test.ts")

for (const backend of backends) {
  describe(`rate limit through the gateway (${backend.name} limiter)`, () => {
    test("100/min under 300 concurrent calls: exactly 100 pass and are paid, 200 get 429 with the headers", async () => {
      // The clock stands still: the burst is one instant, so no call refills
      // the window (at 100/min one would every 600 ms of a slow run).
      const g = await makeGatewayApp(backend.dialect, { ...backend.env, TIERS_JSON: JSON.stringify({ free: { ratePerMinute: 100, monthlyQuota: null, concurrency: 500 } }) }, { clock: manualClock() })
      opened.push(g)
      await g.seedPool(1)
      const a = await register(g)
      const ownerBefore = await g.usdcBalance(owner)

      const results = await fire(g, a.key, 300)
      expect(statusCounts(results)).toEqual({ 200: 100, 429: 200 })
      const limited = results.find((r) => r.status === 429)!
      expect(limited.body).toMatchObject({ code: "rate_limited", limit: 100 })
      expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0)
      expect(limited.headers.get("ratelimit")).toContain("remaining=0")
      expect(limited.headers.get("ratelimit-policy")).toBe("100;w=60")
      expect((await settledRows(g, a.keyId)).length).toBe(100)
      expect(await g.usdcBalance(owner)).toBe(ownerBefore + 100 * OWNER_SHARE)
    })
  })
}

// Admission is asked beside the payment's build (limits/admission-beside.ts):
// what a refused call may have cost is one build at the marketplace, never a
// signature, a row or a payment; and a key refused lately is refused before
// any build, so hammering past a limit does not reach the marketplace.
for (const backend of backends) {
  describe(`refused calls and the marketplace (${backend.name} limiter)`, () => {
    test("at 1/min: one call pays; of 6 refused calls after it, at most the first reaches the marketplace, and none is recorded or paid", async () => {
      let builds = 0
      const tap = (r: Request) => void (r.method === "POST" && new URL(r.url).pathname.endsWith("/build-transaction") && builds++)
      const g = await makeGatewayApp(backend.dialect, { ...backend.env, TIERS_JSON: JSON.stringify({ free: { ratePerMinute: 1, monthlyQuota: null, concurrency: 10 } }) }, { clock: manualClock(), tap })
      opened.push(g)
      const [wallet] = await g.seedPool(1)
      const a = await register(g)
      const poolBefore = await g.usdcBalance(wallet!.publicKey)

      const [paid] = await fire(g, a.key, 1)
      expect(paid!.status).toBe(200)
      expect(builds).toBe(1)
      const refused = []
      for (let i = 0; i < 6; i++) refused.push(...(await fire(g, a.key, 1)))
      expect(statusCounts(refused)).toEqual({ 429: 6 })
      // The in-memory limiter answers before any work; a shared one may let the first refused call's build start.
      if (backend.name === "memory") expect(builds).toBe(1)
      else expect(builds).toBeLessThanOrEqual(2)
      const rows = await g.runtime.runPromise(Effect.flatMap(Store, (s) => s.usage.history({ keyId: a.keyId, limit: 100 })))
      expect(rows.map((r) => r.state)).toEqual(["settled"])
      expect(poolBefore - (await g.usdcBalance(wallet!.publicKey))).toBe(rows[0]!.priceBase)
    })

    test("a call the key's rate refuses is answered 429 even when its quota is used up too (limits come first)", async () => {
      const g = await makeGatewayApp(backend.dialect, { ...backend.env, TIERS_JSON: JSON.stringify({ free: { ratePerMinute: 1, monthlyQuota: 0, concurrency: 10 } }) }, { clock: manualClock() })
      opened.push(g)
      await g.seedPool(1)
      const a = await register(g)
      // The first call passes the rate step and meets the quota of 0.
      const [first] = await fire(g, a.key, 1)
      expect(first!.body).toMatchObject({ code: "quota_exhausted" })
      // The second is refused by rate, though the quota check could answer first.
      const [second] = await fire(g, a.key, 1)
      expect(second!.status).toBe(429)
      expect(second!.body).toMatchObject({ code: "rate_limited", limit: 1 })
    })
  })
}
