// A Stripe payment event tells the developer's webhooks what it did: a failed
// invoice posts billing.payment_failed and key.suspended for each key it
// suspended; the paid invoice posts key.reinstated. A redelivered Stripe
// event posts nothing new. Events owed by an applied Stripe event are written
// with it: when they cannot be queued after its commit (the state a crash at
// that moment leaves), the delivery answers 503 and Stripe's redelivery
// queues them, once.
import { afterAll, describe, expect, test } from "bun:test"
import { sql } from "drizzle-orm"
import Stripe from "stripe"
import { deliverDue } from "../../src/modules/webhooks/delivery"
import { makeTestApp, readJson } from "../support/app"
import { bearer, login, register } from "../support/accounts"
import { selectAll } from "../support/billing"
import { dialects, type Dialect } from "../support/db"
import { databaseOf } from "../support/stripe-app"

const SECRET = "whsec_test_webhook_secret_value"
const webhooks = new Stripe("sk_test_unused").webhooks
let seq = 0

const received: Array<{ type: string; created: number; data: Record<string, any> }> = []
const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: async (req) => (received.push(JSON.parse(await req.text())), new Response("ok")) })
afterAll(() => server.stop(true))

/** An app whose user has a Stripe customer, a paid key and a webhook endpoint on `server`; events of one invoice, signed. */
const paymentSetUp = async (dialect: Dialect) => {
  const h = await makeTestApp(dialect, { STRIPE_WEBHOOK_SECRET: SECRET, WEBHOOK_ALLOW_PRIVATE_HOSTS: "true" })
  const a = await register(h)
  const session = await login(h, a.email)
  const customerId = `cus_events_${++seq}`
  await selectAll(await databaseOf(h), sql`update users set stripe_customer_id = ${customerId}, tier = 'paid' where id = ${a.userId}`)
  expect((await h.request("/v1/webhook-endpoints", { method: "POST", headers: bearer(session), json: { url: `http://127.0.0.1:${server.port}/events` } })).status).toBe(201)
  const invoice = { id: `in_events_${++seq}`, object: "invoice", customer: customerId, period_start: Date.UTC(2026, 9, 1) / 1000, period_end: Date.UTC(2026, 10, 1) / 1000, created: Date.UTC(2026, 10, 1) / 1000, parent: { type: "subscription_details", subscription_details: { subscription: "sub_events" } } }
  const stripeEvent = (type: string) => JSON.stringify({ id: `evt_stripe_${++seq}`, object: "event", api_version: "2026-10-28.endive", created: Math.floor(Date.now() / 1000), livemode: false, type, data: { object: invoice } })
  const deliver = async (payload: string) =>
    readJson(await h.request("/v1/webhooks/stripe", { method: "POST", body: payload, headers: { "content-type": "application/json", "stripe-signature": await webhooks.generateTestHeaderStringAsync({ payload, secret: SECRET }) } }))
  return { h, a, invoice, stripeEvent, deliver }
}

describe("payment events to developer webhooks", () => {
  test("invoice.payment_failed → billing.payment_failed and key.suspended; invoice.paid → key.reinstated; a replay posts nothing", async () => {
    received.length = 0
    const { h, a, invoice, stripeEvent, deliver } = await paymentSetUp("sqlite")
    try {

      const failed = stripeEvent("invoice.payment_failed")
      expect((await deliver(failed)).body.outcome).toBe("applied")
      await h.runtime.runPromise(deliverDue())
      expect(received.map((e) => e.type).sort()).toEqual(["billing.payment_failed", "key.suspended"])
      expect(received.find((e) => e.type === "key.suspended")!.data).toMatchObject({ key: { id: a.keyId }, reason: "payment_failed" })
      expect(received.find((e) => e.type === "billing.payment_failed")!.data).toMatchObject({ invoice_id: invoice.id })

      expect((await deliver(failed)).body.outcome).toBe("duplicate")
      expect((await deliver(stripeEvent("invoice.paid"))).body.outcome).toBe("applied")
      await h.runtime.runPromise(deliverDue())
      expect(received.map((e) => e.type).sort()).toEqual(["billing.payment_failed", "key.reinstated", "key.suspended"])
    } finally {
      await h.close()
    }
  })

  for (const dialect of dialects)
    test(`events owed by an applied Stripe event that could not be queued: 503, and the redelivery queues them once (${dialect})`, async () => {
      received.length = 0
      const { h, a, invoice, stripeEvent, deliver } = await paymentSetUp(dialect)
      const db = await databaseOf(h)
      try {
        const failed = stripeEvent("invoice.payment_failed")
        // The queue is gone after the event's commit: what a crash at that moment leaves.
        await selectAll(db, sql`alter table webhook_deliveries rename to webhook_deliveries_away`)
        const appliedBy = Math.floor(Date.now() / 1000) + 1
        const first = await deliver(failed)
        expect(first.status).toBe(503)
        expect(first.body.code).toBe("store_unavailable")
        // The event was applied and committed with what it owes.
        const [key] = await selectAll(db, sql`select status from api_keys where id = ${a.keyId}`)
        expect(key!.status).toBe("suspended")
        const [owed] = await selectAll(db, sql`select notices from stripe_events where id = ${JSON.parse(failed).id}`)
        expect(JSON.parse(owed!.notices!).map((n: { type: string }) => n.type).sort()).toEqual(["billing.payment_failed", "key.suspended"])
        await selectAll(db, sql`alter table webhook_deliveries_away rename to webhook_deliveries`)

        // Stripe had no 2xx: it sends the same event again, later.
        await Bun.sleep(1_100)
        const redeliveredAt = Math.floor(Date.now() / 1000)
        const again = await deliver(failed)
        expect(again.status).toBe(200)
        expect(again.body.outcome).toBe("duplicate")
        const [cleared] = await selectAll(db, sql`select notices from stripe_events where id = ${JSON.parse(failed).id}`)
        expect(cleared!.notices).toBeNull()
        expect((await deliver(failed)).body.outcome).toBe("duplicate")
        await h.runtime.runPromise(deliverDue())
        expect(received.map((e) => e.type).sort()).toEqual(["billing.payment_failed", "key.suspended"])
        expect(received.find((e) => e.type === "key.suspended")!.data).toMatchObject({ key: { id: a.keyId }, reason: "payment_failed" })
        expect(received.find((e) => e.type === "billing.payment_failed")!.data).toMatchObject({ invoice_id: invoice.id })
        // Dated when the Stripe event was applied, not when it was finally queued.
        for (const e of received) {
          expect(e.created).toBeLessThanOrEqual(appliedBy)
          expect(e.created).toBeLessThan(redeliveredAt)
        }
      } finally {
        await h.close()
      }
    })
})
