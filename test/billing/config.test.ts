// The Stripe settings: off by default, validated, secrets never echoed.
import { expect, test } from "bun:test"
import { ConfigInvalid, describeConfig, loadConfig } from "../../src/platform/config/config"

test("Stripe is off by default, with the documented defaults", () => {
  const c = loadConfig({})
  expect(c).toMatchObject({ stripeSecretKey: undefined, stripeWebhookSecret: undefined, stripeApiBase: undefined, stripeMeterEventName: "tdk_api_call", stripePriceId: undefined, stripeMeterId: undefined, stripeTimeoutMs: 10_000, requireCardForFree: false })
})

test("Stripe settings are read and checked; a bad secret is named without its value", () => {
  const c = loadConfig({ STRIPE_SECRET_KEY: "sk_test_abcdefgh12345678", STRIPE_API_BASE: "http://127.0.0.1:12111/", STRIPE_METER_EVENT_NAME: "my_meter", REQUIRE_CARD_FOR_FREE: "true" })
  expect(c).toMatchObject({ stripeSecretKey: "sk_test_abcdefgh12345678", stripeApiBase: "http://127.0.0.1:12111", stripeMeterEventName: "my_meter", requireCardForFree: true })
  let problems: ReadonlyArray<string> = []
  try {
    loadConfig({ STRIPE_SECRET_KEY: "pk_test_publishable_oops", STRIPE_API_BASE: "ftp://x", STRIPE_METER_EVENT_NAME: "has spaces" })
  } catch (e) {
    problems = (e as ConfigInvalid).problems
  }
  expect(problems.map((p) => p.split(":")[0])).toEqual(["STRIPE_SECRET_KEY", "STRIPE_API_BASE", "STRIPE_METER_EVENT_NAME"])
  expect(problems.join("\n")).not.toContain("pk_test_publishable_oops")
})

test("tdk config check shows the Stripe secrets as redacted", () => {
  const rows = describeConfig(loadConfig({ STRIPE_SECRET_KEY: "sk_live_abcdefgh12345678", STRIPE_WEBHOOK_SECRET: "whsec_abcdefgh" }))
  const text = JSON.stringify(rows)
  expect(text).not.toContain("sk_live_abcdefgh12345678")
  expect(text).not.toContain("whsec_abcdefgh")
  expect(rows.find((r) => r.env === "STRIPE_SECRET_KEY")?.value).toBe("(set, redacted)")
})
