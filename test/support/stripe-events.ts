// Signed Stripe snapshot events for webhook tests, with the event's id and
// time (`created`, Unix seconds) under the test's control: Stripe does not
// deliver in order, and the tests replay its orders.
import Stripe from "stripe"
import { readJson, type TestApp } from "./app"
import { WEBHOOK_SECRET } from "./stripe-app"

const webhooks = new Stripe("sk_test_unused").webhooks
let seq = 0

export const nowS = () => Math.floor(Date.now() / 1000)

export const snapshotEvent = (type: string, object: unknown, opts: { readonly id?: string; readonly created?: unknown } = {}) =>
  JSON.stringify({ id: opts.id ?? `evt_order_${++seq}_${Date.now()}`, object: "event", api_version: "2026-10-28.endive", created: opts.created ?? nowS(), livemode: false, type, data: { object } })

export const deliverSigned = async (h: TestApp, payload: string) => {
  const header = await webhooks.generateTestHeaderStringAsync({ payload, secret: WEBHOOK_SECRET })
  return readJson(await h.request("/v1/webhooks/stripe", { method: "POST", body: payload, headers: { "content-type": "application/json", "stripe-signature": header } }))
}

export const invoiceObject = (customer: string, extra: Record<string, unknown> = {}) => ({
  id: `in_order_${++seq}`, object: "invoice", customer, period_start: Date.UTC(2026, 9, 1) / 1000, period_end: Date.UTC(2026, 10, 1) / 1000, created: Date.UTC(2026, 10, 1) / 1000,
  parent: { type: "subscription_details", subscription_details: { subscription: "sub_order_1" } }, ...extra,
})

export const subscriptionObject = (customer: string, status: string, metadata: Record<string, string> = {}, extra: Record<string, unknown> = {}) => ({
  id: "sub_order_1", object: "subscription", customer, status, metadata, items: { object: "list", data: [{ id: "si_1", price: { id: "price_1", metadata: {} } }] }, ...extra,
})
