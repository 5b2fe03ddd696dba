// `tdk stripe setup`: finds or creates, once, what usage billing needs at
// Stripe: a `sum` billing meter on STRIPE_METER_EVENT_NAME, a product, and a
// metered monthly USD price on that meter at 0.0001 cents per micro-USD.
// Running it again finds everything and creates nothing.
import { Effect } from "effect"
import Stripe from "stripe"
import { makeStripe, type StripeShape } from "../modules/billing/stripe-client"
import type { Config } from "../platform/config/config"
import type { Command } from "./commands"
import { loadConfigOrExit } from "./load-config"

/** Fixed product id: Stripe accepts our own, which makes "find" a lookup. */
export const PRODUCT_ID = "tdk_core_api_usage"
/** cents per micro-USD: 1 micro-USD = 1e-6 USD = 1e-4 cents. */
export const UNIT_AMOUNT_DECIMAL = "0.0001"

export const priceLookupKey = (eventName: string) => `tdk_usage_${eventName}_usd`

export type SetupResult = {
  readonly meterId: string
  readonly productId: string
  readonly priceId: string
  readonly created: ReadonlyArray<"meter" | "product" | "price">
}

const findMeter = (stripe: Stripe, eventName: string) =>
  stripe.billing.meters.list({ status: "active", limit: 100 }).autoPagingToArray({ limit: 10_000 }).then((all) => all.find((m) => m.event_name === eventName))

export const stripeSetup = (stripe: StripeShape, config: Config) =>
  Effect.gen(function* () {
    const eventName = config.stripeMeterEventName
    const created: Array<"meter" | "product" | "price"> = []

    let meter = yield* stripe.call("billing.meters.list", (s) => findMeter(s, eventName))
    if (!meter) {
      meter = yield* stripe.call("billing.meters.create", (s) =>
        s.billing.meters.create(
          {
            display_name: "TDK API usage (micro-USD)",
            event_name: eventName,
            default_aggregation: { formula: "sum" },
            customer_mapping: { type: "by_id", event_payload_key: "stripe_customer_id" },
            value_settings: { event_payload_key: "value" },
          },
          { idempotencyKey: `tdk-setup-meter:${eventName}` },
        ),
      )
      created.push("meter")
    }

    const existingProduct = yield* stripe.call("products.retrieve", (s) => s.products.retrieve(PRODUCT_ID)).pipe(
      Effect.catchIf((e) => e._tag === "StripeRequestFailed" && e.status === 404, () => Effect.succeed(undefined)),
    )
    if (!existingProduct) {
      yield* stripe.call("products.create", (s) =>
        s.products.create({ id: PRODUCT_ID, name: "TDK API usage", metadata: { tdk: "usage" } }, { idempotencyKey: `tdk-setup-product:${PRODUCT_ID}` }),
      )
      created.push("product")
    }

    const lookupKey = priceLookupKey(eventName)
    const meterId = meter.id
    const prices = yield* stripe.call("prices.list", (s) => s.prices.list({ lookup_keys: [lookupKey], active: true, limit: 1 }))
    let price = prices.data[0]
    if (!price) {
      price = yield* stripe.call("prices.create", (s) =>
        s.prices.create(
          {
            product: PRODUCT_ID,
            currency: "usd",
            unit_amount_decimal: Stripe.Decimal.from(UNIT_AMOUNT_DECIMAL),
            recurring: { interval: "month", usage_type: "metered", meter: meterId },
            lookup_key: lookupKey,
            metadata: { tdk: "usage", unit: "micro_usd" },
          },
          { idempotencyKey: `tdk-setup-price:${lookupKey}:${meterId}` },
        ),
      )
      created.push("price")
    }
    return { meterId, productId: PRODUCT_ID, priceId: price.id, created } satisfies SetupResult
  })

export const stripeSetupCommand: Command = {
  words: ["stripe", "setup"],
  summary: "Create (once) the Stripe billing meter, product and metered price; print the env lines to set",
  example: "STRIPE_SECRET_KEY=sk_test_… tdk stripe setup",
  run: async () => {
    const config = loadConfigOrExit()
    const stripe = makeStripe(config)
    if (!stripe.enabled) {
      console.error("STRIPE_SECRET_KEY is unset: nothing to set up (billing through Stripe is off).")
      return 2
    }
    const exit = await Effect.runPromiseExit(stripeSetup(stripe, config))
    if (exit._tag === "Failure") {
      const failure = exit.cause.reasons.find((r) => "error" in r) as { error?: { _tag: string; operation?: string; reason?: string } } | undefined
      console.error(`stripe setup failed: ${failure?.error?.operation ?? ""} ${failure?.error?.reason ?? "unexpected error"}`)
      return 1
    }
    const r = exit.value
    console.log(r.created.length === 0 ? "# everything already existed; nothing created" : `# created: ${r.created.join(", ")}`)
    console.log(`STRIPE_METER_ID=${r.meterId}`)
    console.log(`STRIPE_PRICE_ID=${r.priceId}`)
    console.log(`STRIPE_METER_EVENT_NAME=${config.stripeMeterEventName}`)
    return 0
  },
}
