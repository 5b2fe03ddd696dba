// `tdk stripe setup` against the fake Stripe through the real SDK: creates
// the meter, product and metered price once; a second run creates nothing.
import { afterAll, beforeAll, expect, test } from "bun:test"
import { Effect } from "effect"
import { priceLookupKey, PRODUCT_ID, stripeSetup } from "../../src/cli/stripe-setup"
import { makeStripe } from "../../src/modules/billing/stripe-client"
import { testConfig } from "../support/app"
import { startFakeStripe, type FakeStripe } from "../support/fake-stripe/server"

let fake: FakeStripe
beforeAll(async () => {
  fake = await startFakeStripe()
})
afterAll(() => fake.close())

test("creates a sum meter, a product and a metered price at 0.0001 cents per micro-USD, and only once", async () => {
  const config = testConfig({ STRIPE_SECRET_KEY: fake.secretKey, STRIPE_API_BASE: fake.url, STRIPE_METER_EVENT_NAME: "tdk_setup_test" })
  const stripe = makeStripe(config)
  const first = await Effect.runPromise(stripeSetup(stripe, config))
  expect(first).toMatchObject({ created: ["meter", "product", "price"], productId: PRODUCT_ID })

  const meter = fake.meters.get(first.meterId)
  expect(meter).toMatchObject({
    event_name: "tdk_setup_test",
    default_aggregation: { formula: "sum" },
    customer_mapping: { type: "by_id", event_payload_key: "stripe_customer_id" },
    value_settings: { event_payload_key: "value" },
  })
  expect(fake.prices.get(first.priceId)).toMatchObject({
    product: PRODUCT_ID,
    currency: "usd",
    unit_amount_decimal: "0.0001",
    lookup_key: priceLookupKey("tdk_setup_test"),
    recurring: { interval: "month", usage_type: "metered", meter: first.meterId },
  })

  const second = await Effect.runPromise(stripeSetup(stripe, config))
  expect(second).toEqual({ ...first, created: [] })
  expect({ meters: fake.meters.size, products: fake.products.size, prices: fake.prices.size }).toEqual({ meters: 1, products: 1, prices: 1 })
})

test("a setup whose create replies were lost converges on the next runs without duplicates", async () => {
  const config = testConfig({ STRIPE_SECRET_KEY: fake.secretKey, STRIPE_API_BASE: fake.url, STRIPE_METER_EVENT_NAME: "tdk_setup_drop" })
  const stripe = makeStripe(config)
  const before = { meters: fake.meters.size, prices: fake.prices.size }
  // Stripe creates the meter, but the reply never arrives.
  fake.failNext("drop_after", 1, /^POST \/v1\/billing\/meters$/)
  const first = await Effect.runPromiseExit(stripeSetup(stripe, config))
  expect(first._tag).toBe("Failure")
  expect(fake.meters.size).toBe(before.meters + 1)
  // Same for the price.
  fake.failNext("drop_after", 1, /^POST \/v1\/prices$/)
  expect((await Effect.runPromiseExit(stripeSetup(stripe, config)))._tag).toBe("Failure")
  const third = await Effect.runPromise(stripeSetup(stripe, config))
  expect(third.created).toEqual([])
  expect({ meters: fake.meters.size, prices: fake.prices.size }).toEqual({ meters: before.meters + 1, prices: before.prices + 1 })
  expect(fake.prices.get(third.priceId)).toMatchObject({ recurring: { meter: third.meterId } })
})
