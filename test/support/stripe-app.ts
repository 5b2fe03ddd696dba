// A gateway wired to the fake Stripe (customer, meter and metered price set
// up as `tdk stripe setup` does) with signed webhook delivery, for billing
// flows over the real app.
import { Effect } from "effect"
import Stripe from "stripe"
import { stripeSetup } from "../../src/cli/stripe-setup"
import { makeStripe } from "../../src/modules/billing/stripe-client"
import { Database, type DatabaseHandle } from "../../src/platform/db/database"
import { readJson, testConfig, type TestApp } from "./app"
import type { FakeStripe } from "./fake-stripe/server"

export const WEBHOOK_SECRET = "whsec_test_webhook_secret_value"
export const ADMIN_TOKEN = "admin-token-for-billing-tests-0123456789"

const webhooks = new Stripe("sk_test_unused").webhooks
let seq = 0

/** Creates the meter, product and metered price on the fake; returns the env a gateway needs to bill through it. */
export const stripeEnv = async (fake: FakeStripe): Promise<Record<string, string>> => {
  const env = { STRIPE_SECRET_KEY: fake.secretKey, STRIPE_API_BASE: fake.url, STRIPE_TIMEOUT_MS: "2000" }
  const config = testConfig(env)
  const { priceId } = await Effect.runPromise(stripeSetup(makeStripe(config), config))
  return { ...env, STRIPE_PRICE_ID: priceId, STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET, ADMIN_TOKEN }
}

export const databaseOf = (h: TestApp): Promise<DatabaseHandle> =>
  h.runtime.runPromise(Effect.gen(function* () {
    return yield* Database
  }))

/** Delivers a signed Stripe event to the app's webhook endpoint. */
export const deliver = async (h: TestApp, type: string, object: Record<string, unknown>) => {
  const payload = JSON.stringify({ id: `evt_flow_${++seq}_${Date.now()}`, object: "event", api_version: "2026-10-28.endive", created: Math.floor(Date.now() / 1000), livemode: false, type, data: { object } })
  const header = await webhooks.generateTestHeaderStringAsync({ payload, secret: WEBHOOK_SECRET })
  return readJson(await h.request("/v1/webhooks/stripe", { method: "POST", body: payload, headers: { "content-type": "application/json", "stripe-signature": header } }))
}

export const invoiceFor = (customer: string) => ({
  id: `in_flow_${++seq}`, object: "invoice", customer, period_start: Math.floor(Date.now() / 1000) - 86_400, created: Math.floor(Date.now() / 1000),
  parent: { type: "subscription_details", subscription_details: { subscription: "sub_flow" } },
})
