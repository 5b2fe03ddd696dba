// The Stripe service over the real SDK against the fake: failures sorted into
// retry / indeterminate / fatal, idempotency keys, meter event dedup, and the
// "none" implementation when no key is configured.
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { Effect, Exit } from "effect"
import { StripeRequestFailed } from "../../src/modules/billing/errors"
import { isDuplicateIdentifier, makeStripe, type StripeShape } from "../../src/modules/billing/stripe-client"
import { testConfig } from "../support/app"
import { startFakeStripe, type FakeStripe } from "../support/fake-stripe/server"

let fake: FakeStripe
let stripe: StripeShape
beforeAll(async () => {
  fake = await startFakeStripe({ stallMs: 2_000, retryAfterSeconds: 7 })
  stripe = makeStripe(testConfig({ STRIPE_SECRET_KEY: fake.secretKey, STRIPE_API_BASE: fake.url, STRIPE_TIMEOUT_MS: "300" }))
  await Effect.runPromise(stripe.call("billing.meters.create", (s) => s.billing.meters.create({ display_name: "t", event_name: "tdk_api_call", default_aggregation: { formula: "sum" } })))
})
afterAll(() => fake.close())

const failureOf = async <A, E>(effect: Effect.Effect<A, E>) => {
  const exit = await Effect.runPromiseExit(effect)
  if (Exit.isSuccess(exit)) throw new Error(`expected a failure, got ${JSON.stringify(exit.value)}`)
  return exit.cause.reasons.map((r) => ("error" in r ? r.error : r))[0] as any
}

const createCustomer = () => stripe.createCustomer({ id: `usr_${Math.random()}`, email: "a@example.com" })
const customer = () => Effect.runPromise(createCustomer())
const meterEvent = (identifier: string, customerId: string, value = 5) =>
  stripe.reportMeterEvent({ identifier, customerId, value, timestamp: Math.floor(Date.now() / 1000) })

describe("failure classification", () => {
  test("a 500 is indeterminate", async () => {
    fake.failNext("500")
    expect(await failureOf(createCustomer())).toMatchObject({ _tag: "StripeRequestFailed", kind: "indeterminate", status: 500 })
  })
  test("a 429 is retry, with the Retry-After in ms", async () => {
    fake.failNext("429")
    expect(await failureOf(createCustomer())).toMatchObject({ _tag: "StripeRequestFailed", kind: "retry", status: 429, retryAfterMs: 7_000 })
  })
  test("a stall past the timeout and a dropped connection are indeterminate", async () => {
    fake.failNext("stall")
    const started = Date.now()
    expect(await failureOf(createCustomer())).toMatchObject({ kind: "indeterminate", status: undefined })
    expect(Date.now() - started).toBeLessThan(1_500)
    fake.failNext("drop")
    expect(await failureOf(createCustomer())).toMatchObject({ kind: "indeterminate" })
  })
  test("a refused request is fatal; a refused key never reaches the error", async () => {
    expect(await failureOf(stripe.createSetupIntent({ userId: "usr_1", customerId: "cus_missing", attempt: "1" }))).toMatchObject({ kind: "fatal", status: 400, code: "resource_missing" })
    const wrongKey = makeStripe(testConfig({ STRIPE_SECRET_KEY: "sk_live_notacceptedbythefake", STRIPE_API_BASE: fake.url }))
    const e = await failureOf(wrongKey.createCustomer({ id: "usr_x", email: "x@example.com" }))
    expect(e).toMatchObject({ kind: "fatal", status: 401 })
    expect(JSON.stringify(e)).not.toContain("sk_live_notacceptedbythefake")
  })
})

describe("idempotency", () => {
  test("creating the customer of one user twice, even after a lost reply, makes one customer", async () => {
    const before = fake.customers.size
    const user = { id: `usr_idem_${Date.now()}`, email: "i@example.com" }
    fake.failNext("drop_after")
    expect(await failureOf(stripe.createCustomer(user))).toMatchObject({ kind: "indeterminate" })
    const id = await Effect.runPromise(stripe.createCustomer(user))
    expect(await Effect.runPromise(stripe.createCustomer(user))).toBe(id)
    expect(fake.customers.size).toBe(before + 1)
  })
})

describe("meter events", () => {
  test("are sent as Stripe expects: whole-number string value, seconds timestamp, our identifier", async () => {
    const cus = await customer()
    expect(await Effect.runPromise(meterEvent("use_meter_1", cus, 1234))).toBe("accepted")
    expect(fake.meterEvents.find((e) => e.identifier === "use_meter_1")).toMatchObject({ event_name: "tdk_api_call", payload: { stripe_customer_id: cus, value: "1234" } })
  })
  test("a second event with the same identifier is recognised as already accepted, and not stored twice", async () => {
    const cus = await customer()
    await Effect.runPromise(meterEvent("use_meter_dup", cus))
    expect(await Effect.runPromise(meterEvent("use_meter_dup", cus))).toBe("duplicate")
    expect(fake.meterEvents.filter((e) => e.identifier === "use_meter_dup")).toHaveLength(1)
  })
  test("only Stripe's duplicate answer naming this very identifier counts as already accepted", () => {
    const refusal = (fields: Partial<StripeRequestFailed>) =>
      new StripeRequestFailed({ operation: "billing.meterEvents.create", kind: "fatal", status: 400, code: undefined, errorType: "invalid_request_error", reason: "An event already exists with identifier use_1.", retryAfterMs: undefined, ...fields })
    expect(isDuplicateIdentifier(refusal({}), "use_1")).toBe(true)
    expect(isDuplicateIdentifier(refusal({ reason: "An event already exists with identifier use_1" }), "use_1")).toBe(true)
    expect(isDuplicateIdentifier(refusal({}), "use_2")).toBe(false)
    expect(isDuplicateIdentifier(refusal({ status: 500 }), "use_1")).toBe(false)
    expect(isDuplicateIdentifier(refusal({ errorType: "api_error" }), "use_1")).toBe(false)
    expect(isDuplicateIdentifier(refusal({ reason: "An active meter with event_name use_1 already exists." }), "use_1")).toBe(false)
  })
  test("the fake refuses a non-integer value as Stripe does", async () => {
    const e = await failureOf(stripe.call("billing.meterEvents.create", (s) => s.billing.meterEvents.create({ event_name: "tdk_api_call", payload: { stripe_customer_id: "cus_1", value: "1.5" } })))
    expect(e).toMatchObject({ kind: "fatal", status: 400, code: "parameter_invalid_integer" })
  })
})

describe("without STRIPE_SECRET_KEY", () => {
  test("every call is BillingDisabled and nothing is sent", async () => {
    const off = makeStripe(testConfig())
    const requests = fake.counters.requests
    expect(off.enabled).toBe(false)
    expect(await failureOf(off.reportMeterEvent({ identifier: "x", customerId: "cus_1", value: 1, timestamp: 1 }))).toMatchObject({ _tag: "BillingDisabled" })
    expect(await failureOf(off.createCustomer({ id: "u", email: "e" }))).toMatchObject({ _tag: "BillingDisabled" })
    expect(fake.counters.requests).toBe(requests)
  })
})
