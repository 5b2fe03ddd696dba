// POST /v1/webhooks/stripe: each handled event's effect, and the deliveries
// that must change nothing (forged, stale, unsigned, not an event, replayed).
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { sql } from "drizzle-orm"
import { Effect } from "effect"
import Stripe from "stripe"
import { Database, type DatabaseHandle } from "../../src/platform/db/database"
import { billingPeriodRows, insertKey, insertUser, keyRow, selectAll, userRow } from "../support/billing"
import { makeTestApp, readJson, type TestApp } from "../support/app"
import { dialects } from "../support/db"

const SECRET = "whsec_test_webhook_secret_value"
const webhooks = new Stripe("sk_test_unused").webhooks
let seq = 0

const event = (type: string, object: Record<string, unknown>, id = `evt_test_${++seq}_${Date.now()}`) =>
  JSON.stringify({ id, object: "event", api_version: "2026-10-28.endive", created: Math.floor(Date.now() / 1000), livemode: false, type, data: { object } })

const invoice = (customer: string, extra: Record<string, unknown> = {}) => ({
  id: `in_test_${++seq}`, object: "invoice", customer, period_start: Date.UTC(2026, 9, 1) / 1000, period_end: Date.UTC(2026, 10, 1) / 1000, created: Date.UTC(2026, 10, 1) / 1000,
  parent: { type: "subscription_details", subscription_details: { subscription: "sub_test_1" } }, ...extra,
})

const subscription = (customer: string, status: string, metadata: Record<string, string> = {}) => ({
  id: "sub_test_1", object: "subscription", customer, status, metadata, items: { object: "list", data: [{ id: "si_1", price: { id: "price_1", metadata: {} } }] },
})

for (const dialect of dialects) {
  describe(`stripe webhooks (${dialect})`, () => {
    let h: TestApp
    let db: DatabaseHandle
    beforeAll(async () => {
      h = await makeTestApp(dialect, { STRIPE_WEBHOOK_SECRET: SECRET })
      db = await h.runtime.runPromise(Effect.gen(function* () {
        return yield* Database
      }))
    })
    afterAll(() => h.close())

    const deliver = async (payload: string, opts: { secret?: string; timestamp?: number; header?: string | null } = {}) => {
      const header = opts.header === null ? undefined : (opts.header ?? (await webhooks.generateTestHeaderStringAsync({ payload, secret: opts.secret ?? SECRET, timestamp: opts.timestamp })))
      return readJson(await h.request("/v1/webhooks/stripe", { method: "POST", body: payload, headers: { "content-type": "application/json", ...(header ? { "stripe-signature": header } : {}) } }))
    }
    const eventCount = async () => Number((await selectAll(db, sql`select count(*) as n from stripe_events`))[0]!.n)

    const customer = async () => {
      const customerId = `cus_test_${++seq}`
      const userId = await insertUser(db, { customerId, tier: "paid" })
      return { customerId, userId }
    }

    test("invoice.payment_failed suspends the user's active keys and marks the period failed", async () => {
      const { customerId, userId } = await customer()
      const active = await insertKey(db, userId)
      const revoked = await insertKey(db, userId, { status: "revoked", statusReason: "user" })
      const inv = invoice(customerId)
      const r = await deliver(event("invoice.payment_failed", inv))
      expect(r).toMatchObject({ status: 200, body: { received: true, outcome: "applied" } })
      expect(await keyRow(db, active)).toMatchObject({ status: "suspended", statusReason: "payment_failed" })
      expect(await keyRow(db, revoked)).toMatchObject({ status: "revoked", statusReason: "user" })
      expect(await billingPeriodRows(db, userId)).toMatchObject([{ period: "2026-10", status: "failed", stripeInvoiceId: inv.id, stripeSubscriptionId: "sub_test_1" }])
    })

    test("invoice.paid marks the period paid and reinstates only keys suspended for payment", async () => {
      const { customerId, userId } = await customer()
      const unpaid = await insertKey(db, userId, { status: "suspended", statusReason: "payment_failed" })
      const abuse = await insertKey(db, userId, { status: "suspended", statusReason: "abuse" })
      const inv = invoice(customerId)
      expect(await deliver(event("invoice.paid", inv))).toMatchObject({ status: 200, body: { outcome: "applied" } })
      expect(await keyRow(db, unpaid)).toMatchObject({ status: "active", statusReason: null })
      expect(await keyRow(db, abuse)).toMatchObject({ status: "suspended", statusReason: "abuse" })
      expect(await billingPeriodRows(db, userId)).toMatchObject([{ period: "2026-10", status: "paid", stripeInvoiceId: inv.id }])
    })

    test("invoice.finalized links the billing period to the invoice without changing its status", async () => {
      const { customerId, userId } = await customer()
      const inv = invoice(customerId)
      expect(await deliver(event("invoice.finalized", inv))).toMatchObject({ status: 200, body: { outcome: "applied" } })
      expect(await billingPeriodRows(db, userId)).toMatchObject([{ period: "2026-10", status: "pending", stripeInvoiceId: inv.id, stripeSubscriptionId: "sub_test_1" }])
    })

    test("customer.subscription.updated and .deleted move the user's and keys' tier", async () => {
      const { customerId, userId } = await customer()
      const key = await insertKey(db, userId, { tier: "free" })
      expect(await deliver(event("customer.subscription.updated", subscription(customerId, "active", { tier: "pro" })))).toMatchObject({ status: 200, body: { outcome: "applied" } })
      expect(await userRow(db, userId)).toMatchObject({ tier: "pro" })
      expect(await keyRow(db, key)).toMatchObject({ tier: "pro" })
      await deliver(event("customer.subscription.updated", subscription(customerId, "active")))
      expect(await keyRow(db, key)).toMatchObject({ tier: "paid" })
      await deliver(event("customer.subscription.updated", subscription(customerId, "unpaid")))
      expect(await userRow(db, userId)).toMatchObject({ tier: "free" })
      await deliver(event("customer.subscription.updated", subscription(customerId, "active", { tier: "pro" })))
      expect(await deliver(event("customer.subscription.deleted", subscription(customerId, "canceled", { tier: "pro" })))).toMatchObject({ status: 200, body: { outcome: "applied" } })
      expect(await userRow(db, userId)).toMatchObject({ tier: "free" })
      expect(await keyRow(db, key)).toMatchObject({ tier: "free" })
    })

    test("setup_intent.succeeded records the card as verified", async () => {
      const { customerId, userId } = await customer()
      expect((await userRow(db, userId)).cardVerifiedAt).toBeNull()
      const r = await deliver(event("setup_intent.succeeded", { id: "seti_1", object: "setup_intent", customer: customerId, status: "succeeded" }))
      expect(r).toMatchObject({ status: 200, body: { outcome: "applied" } })
      expect((await userRow(db, userId)).cardVerifiedAt).toBeGreaterThan(Date.now() - 60_000)
    })

    test("a replayed delivery is acknowledged and applied once", async () => {
      const { customerId, userId } = await customer()
      const key = await insertKey(db, userId)
      const failed = event("invoice.payment_failed", invoice(customerId))
      expect(await deliver(failed)).toMatchObject({ status: 200, body: { outcome: "applied" } })
      await deliver(event("invoice.paid", invoice(customerId)))
      expect(await keyRow(db, key)).toMatchObject({ status: "active" })
      // The same failed event again must not suspend the key a second time.
      expect(await deliver(failed)).toMatchObject({ status: 200, body: { outcome: "duplicate" } })
      expect(await keyRow(db, key)).toMatchObject({ status: "active" })
    })

    test("an unknown event type is acknowledged and ignored", async () => {
      const before = await eventCount()
      expect(await deliver(event("charge.refunded", { id: "ch_1", object: "charge" }))).toMatchObject({ status: 200, body: { outcome: "ignored" } })
      expect(await eventCount()).toBe(before)
    })

    test("an event for a customer no user has is acknowledged and changes nothing", async () => {
      // A bystander: nothing of theirs may move when another customer's event has no user.
      const { userId } = await customer()
      const key = await insertKey(db, userId)
      expect(await deliver(event("invoice.payment_failed", invoice("cus_nobody")))).toMatchObject({ status: 200, body: { outcome: "unknown_customer" } })
      expect(await keyRow(db, key)).toMatchObject({ status: "active" })
      expect(await billingPeriodRows(db, userId)).toEqual([])
    })

    describe("deliveries that change nothing", () => {
      const rejectedWith = async (r: Awaited<ReturnType<typeof deliver>>, reason: RegExp, key: string, userId: string) => {
        expect(r).toMatchObject({ status: 400, body: { code: "webhook_rejected", status: 400 } })
        expect(r.headers.get("content-type")).toBe("application/problem+json")
        expect(r.body.detail).toMatch(reason)
        expect(await keyRow(db, key)).toMatchObject({ status: "active" })
        expect(await billingPeriodRows(db, userId)).toEqual([])
      }
      test("forged, stale, future-dated, unsigned, garbage-signed and non-event bodies are 400 problems", async () => {
        const { customerId, userId } = await customer()
        const key = await insertKey(db, userId)
        const before = await eventCount()
        const payload = event("invoice.payment_failed", invoice(customerId))
        await rejectedWith(await deliver(payload, { secret: "whsec_someone_else" }), /signature does not match/, key, userId)
        await rejectedWith(await deliver(payload, { timestamp: Math.floor(Date.now() / 1000) - 301 }), /tolerance/, key, userId)
        // Ten days ahead (or six minutes): a captured delivery must not stay replayable until then.
        await rejectedWith(await deliver(payload, { timestamp: Math.floor(Date.now() / 1000) + 10 * 86_400 }), /future/, key, userId)
        await rejectedWith(await deliver(payload, { timestamp: Math.floor(Date.now() / 1000) + 360 }), /future/, key, userId)
        // A future time cannot hide behind a second t= item or more digits than a date has.
        const later = Math.floor(Date.now() / 1000) + 10 * 86_400
        const signed = await webhooks.generateTestHeaderStringAsync({ payload, secret: SECRET, timestamp: later })
        await rejectedWith(await deliver(payload, { header: `t=1,${signed}` }), /future/, key, userId)
        await rejectedWith(await deliver(payload, { header: signed.replace(`t=${later}`, `t=0000${later}`) }), /future/, key, userId)
        await rejectedWith(await deliver(payload, { header: null }), /header is missing/, key, userId)
        await rejectedWith(await deliver(payload, { header: "t=1,v1=deadbeef" }), /signature/, key, userId)
        // Signed correctly, but the body was altered after signing.
        const header = await webhooks.generateTestHeaderStringAsync({ payload, secret: SECRET })
        await rejectedWith(await deliver(payload.replace(customerId, "cus_other"), { header }), /signature does not match/, key, userId)
        await rejectedWith(await deliver(JSON.stringify({ hello: "world" })), /not a Stripe event/, key, userId)
        expect(await eventCount()).toBe(before)
        expect(h.logs.join("\n")).not.toContain(SECRET)
      })
    })
  })
}

describe("stripe webhooks without a signing secret", () => {
  let h: TestApp
  beforeAll(async () => {
    h = await makeTestApp("sqlite")
  })
  afterAll(() => h.close())
  test("answer 503 webhook_not_configured", async () => {
    const r = await readJson(await h.request("/v1/webhooks/stripe", { method: "POST", json: { id: "evt_1" }, headers: { "stripe-signature": "t=1,v1=ab" } }))
    expect(r).toMatchObject({ status: 503, body: { code: "webhook_not_configured" } })
  })
})
