// Billing routes on a gateway without Stripe, and the monthly close job.
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { runBillingCloseJob } from "../../src/modules/billing/close-job"
import { loadConfig } from "../../src/platform/config/config"
import { makeTestApp, readJson, type TestApp } from "../support/app"
import { bearer, login, register } from "../support/accounts"
import { billingPeriodRows, insertKey, insertUsage, userRow } from "../support/billing"
import { manualClock } from "../support/clock"
import { databaseOf } from "../support/stripe-app"

describe("billing switched off", () => {
  let h: TestApp
  beforeAll(async () => {
    h = await makeTestApp("sqlite")
  })
  afterAll(() => h.close())

  test("registration works without a customer; card, subscribe and cancel are 503 billing_disabled; the account summary still reads the ledger", async () => {
    const a = await register(h)
    expect((await userRow(await databaseOf(h), a.userId)).stripeCustomerId).toBeNull()
    const token = await login(h, a.email)
    for (const [path, json] of [["/v1/billing/card", undefined], ["/v1/billing/subscribe", { tier: "paid" }], ["/v1/billing/cancel", undefined]] as const) {
      const r = await readJson(await h.request(path, { method: "POST", headers: bearer(token), ...(json ? { json } : {}) }))
      expect({ path, ...r }).toMatchObject({ path, status: 503, body: { code: "billing_disabled" } })
      expect(r.headers.get("content-type")).toBe("application/problem+json")
    }
    expect(await readJson(await h.request("/v1/billing", { headers: bearer(token) }))).toMatchObject({
      status: 200,
      body: { tier: "free", stripe_enabled: false, has_stripe_customer: false, card: { verified: false, verified_at: null }, current_period: { ops: 0, total_micro_usd: 0, total_usd: "0" }, periods: [] },
    })
    expect(await readJson(await h.request("/v1/billing"))).toMatchObject({ status: 401 })
  })
})

describe("monthly billing close job", () => {
  const clock = manualClock(Date.UTC(2026, 10, 1, 0, 15))
  let h: TestApp
  beforeAll(async () => {
    h = await makeTestApp("sqlite", {}, { clock })
  })
  afterAll(() => h.close())

  test("writes last month's totals from settled usage, idempotently; the account summary lists the period", async () => {
    const a = await register(h)
    const db = await databaseOf(h)
    const keyId = await insertKey(db, a.userId)
    await insertUsage(db, [
      { userId: a.userId, keyId, price: 1_500, createdAt: Date.UTC(2026, 9, 1) },
      { userId: a.userId, keyId, price: 7, createdAt: Date.UTC(2026, 9, 31, 23, 59, 59, 999) },
      // Not October's: failed, or the month after.
      { userId: a.userId, keyId, price: 99, createdAt: Date.UTC(2026, 9, 2), state: "failed" },
      { userId: a.userId, keyId, price: 99, createdAt: Date.UTC(2026, 10, 1) },
    ])
    expect(await h.runtime.runPromise(runBillingCloseJob)).toEqual({ ran: true, value: { period: "2026-10", users: 1 } })
    expect(await h.runtime.runPromise(runBillingCloseJob)).toEqual({ ran: true, value: { period: "2026-10", users: 1 } })
    expect(await billingPeriodRows(db, a.userId)).toMatchObject([{ period: "2026-10", ops: 2, totalMicroUsd: 1_507, status: "pending" }])
    const token = await login(h, a.email)
    expect(await readJson(await h.request("/v1/billing", { headers: bearer(token) }))).toMatchObject({
      status: 200,
      body: { current_period: { period: "2026-11", ops: 1, total_micro_usd: 99 }, periods: [{ period: "2026-10", ops: 2, total_micro_usd: 1_507, total_usd: "0.001507", status: "pending" }] },
    })
  })

  test("BILLING_CLOSE_CRON defaults to 00:15 UTC on the 1st and refuses a bad pattern", () => {
    expect(loadConfig({}).billingCloseCron).toBe("15 0 1 * *")
    expect(() => loadConfig({ BILLING_CLOSE_CRON: "every month" })).toThrow(/BILLING_CLOSE_CRON/)
  })
})
