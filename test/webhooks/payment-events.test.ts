// A Stripe payment event tells the developer's webhooks what it did: a failed
// invoice posts billing.payment_failed and key.suspended for each key it
// suspended; the paid invoice posts key.reinstated. A redelivered Stripe
// event posts nothing new.
import { afterAll, describe, expect, test } from "bun:test"
import { sql } from "drizzle-orm"
import Stripe from "stripe"
import { deliverDue } from "../../src/modules/webhooks/delivery"
import { makeTestApp, readJson } from "../support/app"
import { bearer, login, register } from "../support/accounts"
import { selectAll } from "../support/billing"
import { databaseOf } from "../support/stripe-app"

const SECRET = "whsec_test_webhook_secret_value"
const webhooks = new Stripe("sk_test_unused").webhooks
let seq = 0

const received: Array<{ type: string; data: Record<string, any> }> = []
const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: async (req) => (received.push(JSON.parse(await req.text())), new Response("ok")) })
afterAll(() => server.stop(true))

describe("payment events to developer webhooks", () => {
  test("invoice.payment_failed → billing.payment_failed and key.suspended; invoice.paid → key.reinstated; a replay posts nothing", async () => {
    const h = await makeTestApp("sqlite", { STRIPE_WEBHOOK_SECRET: SECRET, WEBHOOK_ALLOW_PRIVATE_HOSTS: "true" })
    try {
      const a = await register(h)
      const session = await login(h, a.email)
      const customerId = `cus_events_${++seq}`
      await selectAll(await databaseOf(h), sql`update users set stripe_customer_id = ${customerId}, tier = 'paid' where id = ${a.userId}`)
      expect((await h.request("/v1/webhook-endpoints", { method: "POST", headers: bearer(session), json: { url: `http://127.0.0.1:${server.port}/events` } })).status).toBe(201)

      const invoice = { id: `in_events_${++seq}`, object: "invoice", customer: customerId, period_start: Date.UTC(2026, 9, 1) / 1000, period_end: Date.UTC(2026, 10, 1) / 1000, created: Date.UTC(2026, 10, 1) / 1000, parent: { type: "subscription_details", subscription_details: { subscription: "sub_events" } } }
      const stripeEvent = (type: string) => JSON.stringify({ id: `evt_stripe_${++seq}`, object: "event", api_version: "2026-10-28.endive", created: Math.floor(Date.now() / 1000), livemode: false, type, data: { object: invoice } })
      const deliver = async (payload: string) =>
        readJson(await h.request("/v1/webhooks/stripe", { method: "POST", body: payload, headers: { "content-type": "application/json", "stripe-signature": await webhooks.generateTestHeaderStringAsync({ payload, secret: SECRET }) } }))

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
})
