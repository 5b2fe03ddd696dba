// The usage reporter against the fake Stripe: what it sends, what it marks,
// and how it behaves when Stripe pushes back.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "bun:test"
import { sql } from "drizzle-orm"
import { Effect } from "effect"
import type { AppRuntime } from "../../src/app/layers"
import { drainOutbox, REPORTABLE_AGE_MS, reportPass } from "../../src/modules/billing/reporter"
import { makeStripe } from "../../src/modules/billing/stripe-client"
import { insertKey, insertUsage, insertUser, selectAll, usageStates } from "../support/billing"
import { testConfig } from "../support/app"
import { dialects, freshDatabase } from "../support/db"
import { startFakeStripe, type FakeStripe } from "../support/fake-stripe/server"
import { billingRuntime, fastReporter } from "../support/reporter"

for (const dialect of dialects) {
  describe(`usage reporter (${dialect})`, () => {
    let fake: FakeStripe
    let db: Awaited<ReturnType<typeof freshDatabase>>
    let runtime: AppRuntime
    let logs: Array<string>
    beforeAll(async () => {
      fake = await startFakeStripe({ retryAfterSeconds: 1 })
      await Effect.runPromise(makeStripe(testConfig({ STRIPE_SECRET_KEY: fake.secretKey, STRIPE_API_BASE: fake.url })).call("meters.create", (s) =>
        s.billing.meters.create({ display_name: "t", event_name: "tdk_api_call", default_aggregation: { formula: "sum" } })))
    })
    afterAll(() => fake.close())
    beforeEach(async () => {
      db = await freshDatabase(dialect)
      ;({ runtime, logs } = billingRuntime(fake, db.handle))
      fake.heal()
      fake.meterEvents.length = 0
      fake.counters.maxInFlightPerCustomer = 0
      fake.counters.duplicateIdentifiers = 0
    })
    afterEach(async () => {
      await runtime.dispose()
      await db.close()
    })

    const payer = async (customerId: string | null = `cus_${Math.random().toString(36).slice(2)}`) => {
      const userId = await insertUser(db.handle, { customerId })
      return { userId, keyId: await insertKey(db.handle, userId), customerId }
    }
    const drain = () => runtime.runPromise(drainOutbox(fastReporter))
    const rows = () => selectAll(db.handle, sql`select id, stripe_state, stripe_reported_at, stripe_error, stripe_lease_owner from usage order by id`)

    test("sends one meter event per pending settled row, with the call time and price, and marks it reported", async () => {
      const p = await payer()
      const at = Date.now() - 3_600_000
      const pending = await insertUsage(db.handle, [
        { ...p, price: 1_500, createdAt: at },
        { ...p, price: 7, createdAt: at + 1_000 },
      ])
      // Not Stripe's business: free-tier, not yet settled, or failed calls.
      await insertUsage(db.handle, [
        { ...p, price: 99, createdAt: at, stripeState: "skipped" },
        { ...p, price: 99, createdAt: at, state: "pending", stripeState: "pending" },
        { ...p, price: 99, createdAt: at, state: "failed", stripeState: "none" },
      ])
      expect(await drain()).toMatchObject({ reported: 2, flagged: 0, halted: false })
      expect(fake.meterEvents.map((e) => ({ identifier: e.identifier, payload: e.payload, timestamp: e.timestamp }))).toEqual([
        { identifier: pending[0]!, payload: { stripe_customer_id: p.customerId!, value: "1500" }, timestamp: Math.floor(at / 1000) },
        { identifier: pending[1]!, payload: { stripe_customer_id: p.customerId!, value: "7" }, timestamp: Math.floor((at + 1_000) / 1000) },
      ])
      expect(await usageStates(db.handle)).toEqual({ reported: 2, skipped: 1, pending: 1, none: 1 })
      const reported = (await rows()).filter((r) => r.stripe_state === "reported")
      for (const r of reported) {
        const at = r.stripe_reported_at === null ? null : Number(r.stripe_reported_at)
        expect({ id: r.id, stamped: at !== null && at > 0, lease: r.stripe_lease_owner }).toEqual({ id: r.id, stamped: true, lease: null })
      }
      // A second drain finds nothing to do.
      expect(await drain()).toMatchObject({ reported: 0 })
      expect(fake.meterEvents).toHaveLength(2)
    })

    test("rows past Stripe's 35-day window are flagged for the operator and logged, never sent", async () => {
      const p = await payer()
      const [old] = await insertUsage(db.handle, [{ ...p, price: 42, createdAt: Date.now() - REPORTABLE_AGE_MS - 60_000 }])
      expect(await drain()).toMatchObject({ reported: 0, flagged: 1 })
      expect(fake.meterEvents).toHaveLength(0)
      expect(await rows()).toMatchObject([{ id: old, stripe_state: "flagged", stripe_error: expect.stringContaining("35-day") }])
      expect(logs.map((l) => JSON.parse(l)).find((l) => l.msg === "usage row flagged for the operator")).toMatchObject({ level: "warn", usage_id: old, micro_usd: 42 })
    })

    test("a row Stripe refuses, or whose user has no Stripe customer, is flagged; the others go through", async () => {
      const good = await payer()
      const noCustomer = await payer(null)
      const future = await payer()
      await insertUsage(db.handle, [{ ...good, price: 10, createdAt: Date.now() }, { ...noCustomer, price: 20, createdAt: Date.now() }])
      // Stripe refuses this one outright: a timestamp an hour ahead.
      await insertUsage(db.handle, [{ ...future, price: 30, createdAt: Date.now() + 3_600_000 }])
      expect(await drain()).toMatchObject({ reported: 1, flagged: 2 })
      const flagged = (await rows()).filter((r) => r.stripe_state === "flagged").map((r) => r.stripe_error)
      expect(flagged.sort()).toEqual([expect.stringContaining("timestamp_out_of_range"), expect.stringContaining("no Stripe customer")].sort())
    })

    test("an event Stripe accepted but whose reply was lost is resent, recognised as a duplicate, and marked reported", async () => {
      const p = await payer()
      const [id] = await insertUsage(db.handle, [{ ...p, price: 5, createdAt: Date.now() }])
      fake.failNext("drop_after")
      expect(await drain()).toMatchObject({ reported: 1 })
      expect(fake.meterEvents.filter((e) => e.identifier === id)).toHaveLength(1)
      expect(await usageStates(db.handle)).toEqual({ reported: 1 })
    })

    test("a 429 is retried no sooner than its Retry-After", async () => {
      const p = await payer()
      await insertUsage(db.handle, [{ ...p, price: 5, createdAt: Date.now() }])
      fake.failNext("429")
      const started = Date.now()
      expect(await drain()).toMatchObject({ reported: 1 })
      expect(Date.now() - started).toBeGreaterThanOrEqual(1_000)
    })

    test("an outage longer than the retries leaves rows pending for a later pass", async () => {
      const p = await payer()
      await insertUsage(db.handle, [{ ...p, price: 5, createdAt: Date.now() }])
      fake.failNext("500", fastReporter.maxAttempts)
      const pass = await runtime.runPromise(reportPass("rep_test", fastReporter))
      expect(pass).toMatchObject({ claimed: 1, reported: 0, released: 1 })
      expect(await rows()).toMatchObject([{ stripe_state: "pending", stripe_lease_owner: null }])
      expect(await drain()).toMatchObject({ reported: 1 })
    })

    test("never sends two events at once for one customer, while serving customers in parallel", async () => {
      const payers = await Promise.all(Array.from({ length: 6 }, () => payer()))
      await insertUsage(db.handle, payers.flatMap((p) => Array.from({ length: 40 }, (_, i) => ({ ...p, price: i + 1, createdAt: Date.now() - i }))))
      fake.failRandomly(0.2, 7, ["500", "drop_after"])
      expect(await drain()).toMatchObject({ reported: 240 })
      expect(fake.counters.maxInFlightPerCustomer).toBe(1)
      expect(new Set(fake.meterEvents.map((e) => e.identifier)).size).toBe(240)
    })

    test("two reporter instances on one database never send the same row or serve one customer at once", async () => {
      const payers = await Promise.all(Array.from({ length: 8 }, () => payer()))
      await insertUsage(db.handle, payers.flatMap((p) => Array.from({ length: 60 }, (_, i) => ({ ...p, price: i + 1, createdAt: Date.now() - i }))))
      const other = billingRuntime(fake, db.handle)
      const small = { ...fastReporter, batchSize: 50, leaseMs: 30_000 }
      // Each instance keeps draining until nothing is pending (a pass finds nothing while the other holds every customer).
      const untilEmpty = async (rt: AppRuntime) => {
        let reported = 0
        while ((await usageStates(db.handle)).pending !== undefined) {
          reported += (await rt.runPromise(drainOutbox(small))).reported
          await Bun.sleep(1)
        }
        return reported
      }
      const [a, b] = await Promise.all([untilEmpty(runtime), untilEmpty(other.runtime)])
      await other.runtime.dispose()
      expect(a + b).toBe(480)
      expect(fake.meterEvents).toHaveLength(480)
      // Exclusive claims: no row was sent twice, so Stripe never saw a repeated identifier.
      expect(fake.counters.duplicateIdentifiers).toBe(0)
      expect(fake.counters.maxInFlightPerCustomer).toBe(1)
      expect(await usageStates(db.handle)).toEqual({ reported: 480 })
    })

    test("with Stripe billing off, nothing is sent and rows stay pending", async () => {
      const off = billingRuntime(fake, db.handle, { STRIPE_SECRET_KEY: "" })
      const p = await payer()
      await insertUsage(db.handle, [{ ...p, price: 5, createdAt: Date.now() }])
      expect(await off.runtime.runPromise(drainOutbox(fastReporter))).toMatchObject({ reported: 0, halted: true })
      expect(await usageStates(db.handle)).toEqual({ pending: 1 })
      expect(await rows()).toMatchObject([{ stripe_lease_owner: null }])
      await off.runtime.dispose()
    })
  })
}
