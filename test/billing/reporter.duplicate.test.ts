// Stripe's answer to a meter event whose identifier it already holds, word for
// word (400 invalid_request_error "An event already exists with identifier
// <id>.", Stripe-Should-Retry: false, no error code): the event is billed, so
// the row is reported and the reconciliation matches.
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { Effect } from "effect"
import { drainOutbox } from "../../src/modules/billing/reporter"
import { makeStripe } from "../../src/modules/billing/stripe-client"
import type { DatabaseHandle } from "../../src/platform/db/database"
import { periodOf } from "../../src/platform/period"
import { makeTestApp, readJson, testConfig, type TestApp } from "../support/app"
import { insertKey, insertUsage, insertUser, usageStates } from "../support/billing"
import { dialects } from "../support/db"
import { startFakeStripe, type FakeStripe } from "../support/fake-stripe/server"
import { fastReporter } from "../support/reporter"
import { ADMIN_TOKEN, databaseOf, stripeEnv } from "../support/stripe-app"

describe("the fake answers a repeated identifier as Stripe does", () => {
  let fake: FakeStripe
  beforeAll(async () => {
    fake = await startFakeStripe()
    await stripeEnv(fake)
  })
  afterAll(() => fake.close())

  test("400, invalid_request_error, Stripe's message, no code or param, a request log link, Stripe-Should-Retry: false", async () => {
    const send = () =>
      fetch(`${fake.url}/v1/billing/meter_events`, {
        method: "POST",
        headers: { authorization: `Bearer ${fake.secretKey}`, "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ event_name: "tdk_api_call", identifier: "use_dup_shape", "payload[stripe_customer_id]": "cus_x", "payload[value]": "5" }),
      })
    expect((await send()).status).toBe(200)
    const second = await send()
    const body = await second.json()
    expect({ status: second.status, retry: second.headers.get("stripe-should-retry"), body }).toEqual({
      status: 400,
      retry: "false",
      body: { error: { message: "An event already exists with identifier use_dup_shape.", type: "invalid_request_error", request_log_url: expect.stringContaining(second.headers.get("request-id")!) } },
    })
  })
})

for (const dialect of dialects) {
  describe(`a meter event Stripe already holds (${dialect})`, () => {
    let fake: FakeStripe
    let h: TestApp
    let db: DatabaseHandle
    beforeAll(async () => {
      fake = await startFakeStripe()
      h = await makeTestApp(dialect, await stripeEnv(fake))
      db = await databaseOf(h)
    })
    afterAll(async () => {
      await h.close()
      await fake.close()
    })

    const payer = async () => {
      const customerId = await Effect.runPromise(makeStripe(testConfig({ STRIPE_SECRET_KEY: fake.secretKey, STRIPE_API_BASE: fake.url })).createCustomer({ id: `usr_${Math.random()}`, email: "d@example.com" }))
      const userId = await insertUser(db, { customerId })
      return { userId, keyId: await insertKey(db, userId), customerId }
    }
    const reconciliationOf = async (userId: string, period: string) => {
      const r = await readJson(await h.request(`/admin/billing/reconciliation?period=${period}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } }))
      expect(r).toMatchObject({ status: 200 })
      return r.body.users.find((u: { user_id: string }) => u.user_id === userId)
    }

    test("a row a crashed reporter already sent is resent, taken as accepted, marked reported, and the reconciliation matches", async () => {
      const p = await payer()
      const createdAt = Date.now() - 60_000
      const [id] = await insertUsage(db, [{ ...p, price: 1_234, createdAt }])
      // The first reporter's send reached Stripe; it died before marking the row.
      const first = await fetch(`${fake.url}/v1/billing/meter_events`, {
        method: "POST",
        headers: { authorization: `Bearer ${fake.secretKey}`, "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ event_name: "tdk_api_call", identifier: id!, timestamp: String(Math.floor(createdAt / 1000)), "payload[stripe_customer_id]": p.customerId, "payload[value]": "1234" }),
      })
      expect(first.status).toBe(200)
      const duplicatesBefore = fake.counters.duplicateIdentifiers

      expect(await h.runtime.runPromise(drainOutbox(fastReporter))).toMatchObject({ reported: 1, flagged: 0 })
      expect(fake.counters.duplicateIdentifiers).toBe(duplicatesBefore + 1)
      expect(fake.meterEvents.filter((e) => e.identifier === id)).toHaveLength(1)
      expect(await usageStates(db)).toMatchObject({ reported: 1 })
      expect(await reconciliationOf(p.userId, periodOf(createdAt))).toMatchObject({ billable_micro_usd: 1_234, reported_micro_usd: 1_234, flagged_rows: 0, unreported_rows: 0, match: true })
    })

    test("an event whose reply was lost is resent and the duplicate answer marks it reported, never flagged", async () => {
      const p = await payer()
      const createdAt = Date.now() - 30_000
      const [id] = await insertUsage(db, [{ ...p, price: 77, createdAt }])
      fake.failNext("drop_after", 1, /meter_events/)
      expect(await h.runtime.runPromise(drainOutbox(fastReporter))).toMatchObject({ reported: 1, flagged: 0 })
      expect(fake.meterEvents.filter((e) => e.identifier === id)).toHaveLength(1)
      expect(await reconciliationOf(p.userId, periodOf(createdAt))).toMatchObject({ reported_micro_usd: 77, flagged_rows: 0, match: true })
    })
  })
}
