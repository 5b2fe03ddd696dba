// GET /metrics after a scripted workload: each metric says what happened.
// Paid calls (two settle, one is refused by quota), a balance check, and on
// a second app a Stripe request that succeeds and one Stripe refuses.
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { makeGatewayApp, type GatewayApp } from "../support/gateway"
import { makeTestApp, readJson } from "../support/app"
import { bearer, login, register } from "../support/accounts"
import { startFakeStripe } from "../support/fake-stripe/server"
import { stripeEnv } from "../support/stripe-app"

const METRICS_TOKEN = "metrics-token-for-tests-0123456789abcdef"
const ADMIN_TOKEN = "metrics-test-admin-token-0123456789abcdef"

/** The value of one series: `name{labels}`, labels in any order; undefined when absent. */
export const seriesValue = (text: string, name: string, labels: Record<string, string> = {}): number | undefined => {
  for (const line of text.split("\n")) {
    if (line.startsWith("#")) continue
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line)
    if (!m || m[1] !== name) continue
    const have = Object.fromEntries([...(m[2] ?? "").matchAll(/([a-zA-Z_]+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1], l[2]]))
    if (Object.keys(labels).length === Object.keys(have).length && Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[3])
  }
  return undefined
}

let g: GatewayApp
beforeAll(async () => {
  g = await makeGatewayApp("sqlite", { METRICS_TOKEN, ADMIN_TOKEN })
  await g.seedPool(1)
})
afterAll(() => g.close())

const metrics = async (app: { request: GatewayApp["request"] } = g) => {
  const r = await app.request("/metrics", { headers: bearer(METRICS_TOKEN) })
  expect(r.status).toBe(200)
  expect(r.headers.get("content-type")).toContain("text/plain; version=0.0.4")
  return r.text()
}

describe("GET /metrics", () => {
  test("refuses a missing or wrong token with 401 and is absent without METRICS_TOKEN", async () => {
    expect((await g.request("/metrics")).status).toBe(401)
    expect((await g.request("/metrics", { headers: bearer("x".repeat(40)) })).status).toBe(401)
    const plain = await makeTestApp("sqlite")
    try {
      expect((await plain.request("/metrics", { headers: bearer(METRICS_TOKEN) })).status).toBe(404)
    } finally {
      await plain.close()
    }
  })

  test("after two paid calls and a quota refusal: calls by agent and status, durations by part, spend by tier, refusals by kind, usage rows, the outbox, marketplace requests and pool balances", async () => {
    const { key, keyId } = await register(g)
    const admin = { authorization: `Bearer ${ADMIN_TOKEN}` }
    // A paid tier makes the rows billable (the outbox), and a quota of 2 refuses the third call.
    expect((await g.request(`/admin/keys/${keyId}`, { method: "PATCH", headers: admin, json: { tier: "paid", monthly_quota: 2 } })).status).toBe(200)
    const first = await readJson(await g.request("/v1/agents/title-generator", { method: "POST", headers: bearer(key), json: { text: "one" } }))
    const second = await readJson(await g.request("/v1/agents/title-generator", { method: "POST", headers: bearer(key), json: { text: "two" } }))
    const third = await readJson(await g.request("/v1/agents/title-generator", { method: "POST", headers: bearer(key), json: { text: "three" } }))
    expect([first.status, second.status, third.status]).toEqual([200, 200, 402])
    const agent = (await readJson(await g.request("/v1/agents/title-generator"))).body.id as string
    const price = first.body.usage.cost_micro_usd as number
    expect((await g.request("/admin/pool/check", { method: "POST", headers: admin })).status).toBe(200)
    const pool = (await readJson(await g.request("/admin/pool?limit=500", { headers: admin }))).body.wallets as Array<{ public_key: string; status: string; environment: string; usdc_balance: number; lamports: number }>

    const text = await metrics()
    expect(seriesValue(text, "tdk_calls_total", { agent, status: "200" })).toBe(2)
    expect(seriesValue(text, "tdk_calls_total", { agent, status: "402" })).toBe(1)
    for (const part of ["total", "marketplace", "gateway"]) expect(seriesValue(text, "tdk_call_duration_seconds_count", { part })).toBe(3)
    // The marketplace answered the two paid calls (build and submit), so its share is more than nothing.
    expect(seriesValue(text, "tdk_call_duration_seconds_sum", { part: "marketplace" })).toBeGreaterThan(0)
    expect(seriesValue(text, "tdk_spend_micro_usd_total", { tier: "paid" })).toBe(2 * price)
    expect(seriesValue(text, "tdk_limit_refusals_total", { kind: "quota" })).toBe(1)
    expect(seriesValue(text, "tdk_limit_refusals_total", { kind: "rate" })).toBe(0)
    expect(seriesValue(text, "tdk_usage_rows", { state: "settled" })).toBe(2)
    expect(seriesValue(text, "tdk_usage_rows", { state: "pending" })).toBe(0)
    expect(seriesValue(text, "tdk_outbox_pending")).toBe(2)
    expect(seriesValue(text, "tdk_outbox_oldest_age_seconds")).toBeGreaterThanOrEqual(0)
    // The quota is checked as the call's row is written, after its payment is built (nothing is sent): three builds, two submits.
    expect(seriesValue(text, "tdk_marketplace_requests_total", { operation: "build transaction", outcome: "ok" })).toBe(3)
    expect(seriesValue(text, "tdk_marketplace_requests_total", { operation: "call agent", outcome: "ok" })).toBe(2)
    for (const w of pool.filter((w) => w.status !== "retired")) {
      expect(seriesValue(text, "tdk_pool_wallet_usdc_micro", { wallet: w.public_key, status: w.status, environment: w.environment })).toBe(w.usdc_balance)
      expect(seriesValue(text, "tdk_pool_wallet_lamports", { wallet: w.public_key, status: w.status, environment: w.environment })).toBe(w.lamports)
    }
    expect(seriesValue(text, "tdk_pool_total_usdc_micro", { environment: "live" })).toBe(pool.filter((w) => w.environment === "live" && w.status !== "retired").reduce((n, w) => n + w.usdc_balance, 0))
    // A path naming no agent mints no series of its own.
    const bogus = "0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9"
    expect((await g.request(`/v1/agents/${bogus}`, { method: "POST", headers: bearer(key), json: { text: "x" } })).status).toBe(404)
    const after = await metrics()
    expect(after).not.toContain(bogus)
    expect(seriesValue(after, "tdk_calls_total", { agent: "unknown", status: "404" })).toBe(1)
    // No key id, key or token in any label.
    expect(text).not.toContain(keyId)
    expect(text).not.toContain(key)
  })

  test("Stripe requests by operation and outcome: one accepted, one Stripe refused with a 500", async () => {
    const fake = await startFakeStripe()
    const env = await stripeEnv(fake)
    const h = await makeTestApp("sqlite", { ...env, METRICS_TOKEN })
    try {
      const a = await register(h)
      const session = await login(h, a.email)
      expect((await h.request("/v1/billing/card", { method: "POST", headers: bearer(session) })).status).toBe(200)
      fake.failNext("500", 10)
      expect((await h.request("/v1/billing/card", { method: "POST", headers: bearer(session) })).status).toBeGreaterThanOrEqual(500)
      const text = await metrics(h)
      expect(seriesValue(text, "tdk_stripe_requests_total", { operation: "setupIntents.create", outcome: "ok" })).toBe(1)
      const failed = text.split("\n").filter((l) => l.startsWith("tdk_stripe_requests_total{") && !l.includes('outcome="ok"'))
      expect(failed.length).toBeGreaterThan(0)
    } finally {
      await h.close()
      await fake.close()
    }
  })
})
