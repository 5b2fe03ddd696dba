// The usage reporter against the fake Stripe: how it batches each customer's
// rows into meter events, what it sends, what it marks, and how it behaves
// when Stripe pushes back or a pass dies halfway.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "bun:test"
import { sql } from "drizzle-orm"
import { Effect } from "effect"
import { makeRuntime, type AppRuntime } from "../../src/app/layers"
import { drainOutbox, REPORTABLE_AGE_MS, reportPass } from "../../src/modules/billing/reporter"
import { makeStripe } from "../../src/modules/billing/stripe-client"
import { newId } from "../../src/platform/ids"
import { memorySink } from "../../src/platform/logging/logger"
import { Store } from "../../src/store/store"
import { batchesOnRows, exec, insertKey, insertUsage, insertUser, monthStartOf, quietHour, recordingStripe, selectAll, usageStates, type SentMeterEvent } from "../support/billing"
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
    let sent: Array<SentMeterEvent>
    const customers = new Map<string, string | undefined>()
    beforeAll(async () => {
      fake = await startFakeStripe({ retryAfterSeconds: 1 })
      await Effect.runPromise(makeStripe(testConfig({ STRIPE_SECRET_KEY: fake.secretKey, STRIPE_API_BASE: fake.url })).call("meters.create", (s) =>
        s.billing.meters.create({ display_name: "t", event_name: "tdk_api_call", default_aggregation: { formula: "sum" } })))
    })
    afterAll(() => fake.close())
    // As billingRuntime, with every meter event the reporter sends recorded (resends Stripe refuses as duplicates among them).
    const recordingRuntime = () => {
      const config = testConfig({ STRIPE_SECRET_KEY: fake.secretKey, STRIPE_API_BASE: fake.url, STRIPE_TIMEOUT_MS: "500", LOG_LEVEL: "info" })
      const { lines, sink } = memorySink()
      const stripe = recordingStripe(config)
      return { runtime: makeRuntime(config, { database: db.handle, sink, stripe: stripe.layer }), logs: lines, sent: stripe.sent }
    }
    beforeEach(async () => {
      db = await freshDatabase(dialect)
      ;({ runtime, logs, sent } = recordingRuntime())
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
      customers.set(userId, customerId ?? undefined)
      return { userId, keyId: await insertKey(db.handle, userId), customerId }
    }
    const drain = () => runtime.runPromise(drainOutbox(fastReporter))
    const rows = () => selectAll(db.handle, sql`select id, stripe_state, stripe_reported_at, stripe_error, stripe_lease_owner, stripe_batch_id from usage order by created_at, id`)
    const batchOf = async (ids: ReadonlyArray<string>) => {
      const found = [...new Set((await rows()).filter((r) => ids.includes(r.id)).map((r) => r.stripe_batch_id as string | null))]
      expect(found).toHaveLength(1)
      return found[0]!
    }
    const seen = () => fake.meterEvents.map((e) => ({ identifier: e.identifier, customer: e.payload.stripe_customer_id, value: e.payload.value, timestamp: e.timestamp }))
    const ledgerTotal = async () => Number((await selectAll(db.handle, sql`select sum(developer_price_micro_usd) as s from usage where state = 'settled' and stripe_state <> 'skipped'`))[0]!.s)
    const stripeTotal = () => fake.meterEvents.reduce((sum, e) => sum + Number(e.payload.value), 0)
    /**
     * The events Stripe holds are exactly the batches written on the rows, each
     * once: the batch id the identifier, the rows' customer, their exact sum,
     * the first row's second.
     */
    const expectEventsAreTheBatches = async () => {
      const batches = await batchesOnRows(db.handle)
      expect(new Set(batches.map((b) => b.id)).size).toBe(batches.length) // no batch carries two users' rows
      const byId = (a: { identifier: string }, b: { identifier: string }) => (a.identifier < b.identifier ? -1 : 1)
      expect(seen().sort(byId)).toEqual(
        batches.map((b) => ({ identifier: b.id, customer: customers.get(b.userId), value: String(b.microUsd), timestamp: Math.floor(b.firstAt / 1000) })).sort(byId),
      )
      return batches
    }

    test("one customer's rows within one span bucket become one meter event: the batch id written on them, their exact sum, the first call's second; all marked reported", async () => {
      const p = await payer()
      const at = quietHour() + 1_234
      const pending = await insertUsage(db.handle, [
        { ...p, price: 1_500, createdAt: at },
        { ...p, price: 7, createdAt: at + 1_000 },
        // The bucket's last millisecond: still the same event.
        { ...p, price: 2_000_003, createdAt: quietHour() + fastReporter.batchSpanMs - 1 },
      ])
      // Not Stripe's business: free-tier, not yet settled, or failed calls.
      const others = await insertUsage(db.handle, [
        { ...p, price: 99, createdAt: at, stripeState: "skipped" },
        { ...p, price: 99, createdAt: at, state: "pending", stripeState: "pending" },
        { ...p, price: 99, createdAt: at, state: "failed", stripeState: "none" },
      ])
      expect(await drain()).toMatchObject({ events: 1, reported: 3, flagged: 0, halted: false })
      const batchId = await batchOf(pending)
      expect(batchId).toStartWith("mtb_")
      expect(seen()).toEqual([{ identifier: batchId, customer: p.customerId!, value: "2001510", timestamp: Math.floor(at / 1000) }])
      expect(fake.meterEvents[0]!.payload).toEqual({ stripe_customer_id: p.customerId!, value: "2001510" })
      expect(await usageStates(db.handle)).toEqual({ reported: 3, skipped: 1, pending: 1, none: 1 })
      for (const r of await rows()) {
        if (others.includes(r.id)) {
          expect({ id: r.id, batch: r.stripe_batch_id }).toEqual({ id: r.id, batch: null })
          continue
        }
        const stamped = r.stripe_reported_at === null ? null : Number(r.stripe_reported_at)
        expect({ id: r.id, state: r.stripe_state, stamped: stamped !== null && stamped > 0, lease: r.stripe_lease_owner }).toEqual({ id: r.id, state: "reported", stamped: true, lease: null })
      }
      // A second drain finds nothing to do.
      expect(await drain()).toMatchObject({ events: 0, reported: 0 })
      expect(fake.meterEvents).toHaveLength(1)
      expect(sent).toHaveLength(1)
    })

    test("calls in different span buckets, in different calendar months, or of different customers go in separate events", async () => {
      const a = await payer()
      const b = await payer()
      const t = quietHour()
      const month = monthStartOf(t)
      const span = fastReporter.batchSpanMs
      await insertUsage(db.handle, [
        { ...a, price: 10, createdAt: t },
        // The next bucket (t starts one): a new event, for that whole bucket.
        { ...a, price: 20, createdAt: t + span + 1 },
        { ...a, price: 40, createdAt: t + 2 * span - 1 },
        // A millisecond apart, across a month boundary: two events.
        { ...a, price: 80, createdAt: month - 1 },
        { ...a, price: 160, createdAt: month },
        // Another customer at the same moment: its own event.
        { ...b, price: 320, createdAt: t },
      ])
      expect(await drain()).toMatchObject({ events: 5, reported: 6, flagged: 0 })
      const byCustomerAndTime = (x: { customer?: string; timestamp: number }, y: { customer?: string; timestamp: number }) =>
        x.customer === y.customer ? x.timestamp - y.timestamp : x.customer! < y.customer! ? -1 : 1
      expect(seen().map(({ identifier: _, ...e }) => e).sort(byCustomerAndTime)).toEqual(
        [
          { customer: a.customerId!, value: "80", timestamp: Math.floor((month - 1) / 1000) },
          { customer: a.customerId!, value: "160", timestamp: month / 1000 },
          { customer: a.customerId!, value: "10", timestamp: Math.floor(t / 1000) },
          { customer: a.customerId!, value: "60", timestamp: Math.floor((t + span + 1) / 1000) },
          { customer: b.customerId!, value: "320", timestamp: Math.floor(t / 1000) },
        ].sort(byCustomerAndTime),
      )
      expect((await expectEventsAreTheBatches()).map((x) => x.states)).toEqual(Array(5).fill("reported"))
      expect(await usageStates(db.handle)).toEqual({ reported: 6 })
    })

    test("rows past Stripe's 35-day window are flagged for the operator and logged, never sent nor batched", async () => {
      const p = await payer()
      const [old] = await insertUsage(db.handle, [{ ...p, price: 42, createdAt: Date.now() - REPORTABLE_AGE_MS - 60_000 }])
      const [fresh] = await insertUsage(db.handle, [{ ...p, price: 8, createdAt: Date.now() - 1_000 }])
      expect(await drain()).toMatchObject({ events: 1, reported: 1, flagged: 1 })
      // Only the fresh row reached Stripe, in an event of its own.
      expect(seen()).toEqual([expect.objectContaining({ identifier: await batchOf([fresh!]), value: "8" })])
      expect(await rows()).toMatchObject([
        { id: old, stripe_state: "flagged", stripe_error: expect.stringContaining("35-day"), stripe_batch_id: null, stripe_lease_owner: null },
        { id: fresh, stripe_state: "reported" },
      ])
      expect(logs.map((l) => JSON.parse(l)).find((l) => l.msg === "usage rows flagged for the operator")).toMatchObject({ level: "warn", user_id: p.userId, rows: 1, micro_usd: 42 })
    })

    test("a batch Stripe refuses flags every row it carries; rows of a user with no Stripe customer are flagged unbatched; the others go through", async () => {
      const good = await payer()
      const noCustomer = await payer(null)
      const future = await payer()
      const [ok] = await insertUsage(db.handle, [{ ...good, price: 10, createdAt: Date.now() }])
      const [orphan] = await insertUsage(db.handle, [{ ...noCustomer, price: 20, createdAt: Date.now() }])
      // Stripe refuses this batch outright: its timestamp is an hour ahead.
      const ahead = Date.now() + 3_600_000
      const refused = await insertUsage(db.handle, [{ ...future, price: 30, createdAt: ahead }, { ...future, price: 31, createdAt: ahead }])
      expect(await drain()).toMatchObject({ events: 1, reported: 1, flagged: 3 })
      expect(seen()).toEqual([expect.objectContaining({ identifier: await batchOf([ok!]), customer: good.customerId, value: "10" })])
      const byId = Object.fromEntries((await rows()).map((r) => [r.id, r]))
      const refusedBatch = await batchOf(refused)
      expect(refusedBatch).toStartWith("mtb_")
      for (const id of refused) expect(byId[id]).toMatchObject({ stripe_state: "flagged", stripe_error: expect.stringContaining("timestamp_out_of_range"), stripe_batch_id: refusedBatch })
      expect(byId[orphan!]).toMatchObject({ stripe_state: "flagged", stripe_error: expect.stringContaining("no Stripe customer"), stripe_batch_id: null })
      const warned = logs.map((l) => JSON.parse(l)).filter((l) => l.msg === "usage rows flagged for the operator")
      expect(warned).toContainEqual(expect.objectContaining({ level: "warn", batch_id: refusedBatch, rows: 2, micro_usd: 61 }))
      expect(warned).toContainEqual(expect.objectContaining({ level: "warn", user_id: noCustomer.userId, rows: 1, micro_usd: 20 }))
    })

    test("an event Stripe accepted but whose reply was lost is resent with the same identifier and value, taken as a duplicate, and its rows marked reported", async () => {
      const p = await payer()
      const at = quietHour()
      const ids = await insertUsage(db.handle, [{ ...p, price: 5, createdAt: at }, { ...p, price: 6, createdAt: at + 10 }])
      fake.failNext("drop_after", 1, /meter_events/)
      expect(await drain()).toMatchObject({ events: 1, reported: 2, flagged: 0 })
      const batchId = await batchOf(ids)
      const event = { identifier: batchId, customerId: p.customerId!, value: 11, timestamp: Math.floor(at / 1000) }
      expect(sent).toEqual([{ ...event, outcome: "failed" }, { ...event, outcome: "duplicate" }])
      expect(fake.counters.duplicateIdentifiers).toBe(1)
      // Stripe holds the value once.
      expect(seen()).toEqual([{ identifier: batchId, customer: p.customerId!, value: "11", timestamp: event.timestamp }])
      expect(await usageStates(db.handle)).toEqual({ reported: 2 })
    })

    test("a 429 is retried no sooner than its Retry-After", async () => {
      const p = await payer()
      await insertUsage(db.handle, [{ ...p, price: 5, createdAt: Date.now() }])
      fake.failNext("429")
      const started = Date.now()
      expect(await drain()).toMatchObject({ events: 1, reported: 1 })
      expect(Date.now() - started).toBeGreaterThanOrEqual(1_000)
    })

    test("an outage longer than the retries leaves rows pending with their batch written; a later pass sends that batch unchanged and puts rows that arrived since in a new one", async () => {
      const p = await payer()
      const at = quietHour()
      const ids = await insertUsage(db.handle, [{ ...p, price: 5, createdAt: at }, { ...p, price: 6, createdAt: at + 1_000 }])
      fake.failNext("500", fastReporter.maxAttempts, /meter_events/)
      const pass = await runtime.runPromise(reportPass("rep_test", fastReporter))
      expect(pass).toMatchObject({ users: 1, events: 0, reported: 0, deferred: 1 })
      const written = await batchOf(ids)
      expect(written).toStartWith("mtb_")
      expect(await rows()).toMatchObject([
        { stripe_state: "pending", stripe_lease_owner: null, stripe_batch_id: written },
        { stripe_state: "pending", stripe_lease_owner: null, stripe_batch_id: written },
      ])
      const event = { identifier: written, customerId: p.customerId!, value: 11, timestamp: Math.floor(at / 1000) }
      expect(sent).toEqual(Array(fastReporter.maxAttempts).fill({ ...event, outcome: "failed" }))
      expect(fake.meterEvents).toHaveLength(0)

      // A call of the same customer settles meanwhile, inside the written batch's time range.
      const [late] = await insertUsage(db.handle, [{ ...p, price: 100, createdAt: at + 500 }])
      expect(await drain()).toMatchObject({ events: 2, reported: 3 })
      const fresh = await batchOf([late!])
      expect(fresh).not.toBe(written)
      expect(sent.slice(fastReporter.maxAttempts)).toEqual([
        { ...event, outcome: "accepted" },
        { identifier: fresh, customerId: p.customerId!, value: 100, timestamp: Math.floor((at + 500) / 1000), outcome: "accepted" },
      ])
      expect(await batchOf(ids)).toBe(written)
      await expectEventsAreTheBatches()
      expect(await usageStates(db.handle)).toEqual({ reported: 3 })
    })

    test("a batch Stripe took whose pass then gave up is resent unchanged on the next pass; the duplicate answer marks its rows reported and Stripe holds it once", async () => {
      const p = await payer()
      const at = quietHour()
      const ids = await insertUsage(db.handle, [{ ...p, price: 700, createdAt: at }, { ...p, price: 77, createdAt: at + 2_000 }])
      // Stripe stores the event but the reply is lost; then every retry of the pass fails.
      fake.failNext("drop_after", 1, /meter_events/)
      fake.failNext("500", fastReporter.maxAttempts - 1, /meter_events/)
      expect(await runtime.runPromise(reportPass("rep_test", fastReporter))).toMatchObject({ users: 1, events: 0, deferred: 1 })
      const written = await batchOf(ids)
      expect(seen()).toEqual([{ identifier: written, customer: p.customerId!, value: "777", timestamp: Math.floor(at / 1000) }])
      expect(await usageStates(db.handle)).toEqual({ pending: 2 })

      expect(await drain()).toMatchObject({ events: 1, reported: 2, flagged: 0 })
      expect(sent.at(-1)).toEqual({ identifier: written, customerId: p.customerId!, value: 777, timestamp: Math.floor(at / 1000), outcome: "duplicate" })
      expect(fake.counters.duplicateIdentifiers).toBe(1)
      expect(fake.meterEvents).toHaveLength(1)
      expect(await usageStates(db.handle)).toEqual({ reported: 2 })
      expect(stripeTotal()).toBe(await ledgerTotal())
    })

    test("a reporter killed after writing a batch: once its lease lapses the batch is sent exactly as written, and later rows go in a new batch", async () => {
      const p = await payer()
      const at = quietHour()
      const ids = await insertUsage(db.handle, [
        { ...p, price: 1, createdAt: at },
        { ...p, price: 2, createdAt: at + 1_000 },
        { ...p, price: 4, createdAt: at + 2_000 },
      ])
      // The dead reporter leased the rows and wrote a batch over the first two, then died: no send, no release.
      const written = newId("mtb")
      const batch = await runtime.runPromise(
        Effect.gen(function* () {
          const store = yield* Store
          const leased = yield* store.outbox.lease({ owner: "rep_dead", now: Date.now(), leaseMs: 1, limit: 100 })
          expect(leased.map((u) => u.userId)).toEqual([p.userId])
          return yield* store.outbox.openBatch({ id: written, userId: p.userId, from: at, to: at + 1_001 })
        }),
      )
      expect(batch).toEqual({ id: written, rows: 2, microUsd: 3, firstAt: at })
      // A call settles afterwards, inside the written batch's time range.
      const [late] = await insertUsage(db.handle, [{ ...p, price: 8, createdAt: at + 500 }])
      await Bun.sleep(5)

      expect(await drain()).toMatchObject({ events: 2, reported: 4, flagged: 0 })
      expect(await batchOf(ids.slice(0, 2))).toBe(written)
      const fresh = await batchOf([late!, ids[2]!])
      expect(fresh).not.toBe(written)
      expect(sent).toEqual([
        { identifier: written, customerId: p.customerId!, value: 3, timestamp: Math.floor(at / 1000), outcome: "accepted" },
        { identifier: fresh, customerId: p.customerId!, value: 12, timestamp: Math.floor((at + 500) / 1000), outcome: "accepted" },
      ])
      await expectEventsAreTheBatches()
      expect(await usageStates(db.handle)).toEqual({ reported: 4 })
    })

    test("never sends two events at once for one customer, while serving customers in parallel", async () => {
      const payers = await Promise.all(Array.from({ length: 6 }, () => payer()))
      const t = quietHour()
      // Fifteen seconds apart from the top of an hour: four calls a one-minute bucket, ten events a customer.
      await insertUsage(db.handle, payers.flatMap((p) => Array.from({ length: 40 }, (_, i) => ({ ...p, price: i + 1, createdAt: t + i * 15_000 }))))
      fake.failRandomly(0.2, 7, ["500", "drop_after"])
      expect(await drain()).toMatchObject({ events: 60, reported: 240 })
      expect(fake.counters.maxInFlightPerCustomer).toBe(1)
      const batches = await expectEventsAreTheBatches()
      expect(batches.map((b) => b.rows)).toEqual(Array(60).fill(4))
      for (const p of payers) expect(fake.meterEvents.filter((e) => e.payload.stripe_customer_id === p.customerId)).toHaveLength(10)
      expect(stripeTotal()).toBe(await ledgerTotal())
      expect(await usageStates(db.handle)).toEqual({ reported: 240 })
    })

    test("two reporter instances on one database never send the same batch or serve one customer at once", async () => {
      const payers = await Promise.all(Array.from({ length: 8 }, () => payer()))
      const t = quietHour()
      await insertUsage(db.handle, payers.flatMap((p) => Array.from({ length: 60 }, (_, i) => ({ ...p, price: i + 1, createdAt: t + i * 5_000 }))))
      const other = recordingRuntime()
      const small = { ...fastReporter, batchSize: 50, leaseMs: 30_000 }
      // Each instance keeps draining until nothing is pending (a pass finds nothing while the other holds every customer).
      const untilEmpty = async (rt: AppRuntime) => {
        const total = { events: 0, reported: 0 }
        while ((await usageStates(db.handle)).pending !== undefined) {
          const r = await rt.runPromise(drainOutbox(small))
          total.events += r.events
          total.reported += r.reported
          await Bun.sleep(1)
        }
        return total
      }
      const [a, b] = await Promise.all([untilEmpty(runtime), untilEmpty(other.runtime)])
      await other.runtime.dispose()
      expect(a.reported + b.reported).toBe(480)
      expect(a.events + b.events).toBe(fake.meterEvents.length)
      // Exclusive claims: no batch was sent twice, by either instance, so Stripe never saw a repeated identifier.
      const all = [...sent, ...other.sent]
      expect(all.every((e) => e.outcome === "accepted")).toBe(true)
      expect(new Set(all.map((e) => e.identifier)).size).toBe(all.length)
      expect(fake.counters.duplicateIdentifiers).toBe(0)
      expect(fake.counters.maxInFlightPerCustomer).toBe(1)
      await expectEventsAreTheBatches()
      expect(stripeTotal()).toBe(await ledgerTotal())
      expect(await usageStates(db.handle)).toEqual({ reported: 480 })
    })

    test("a user with no Stripe customer has every pending row flagged, a written batch's too (as migration 0012 leaves them), never left pending", async () => {
      const p = await payer(null)
      const [written] = await insertUsage(db.handle, [
        { ...p, price: 7, createdAt: quietHour() },
        { ...p, price: 9, createdAt: quietHour() + 1_000 },
      ])
      await exec(db.handle, sql`update usage set stripe_batch_id = id where id = ${written!}`)
      expect(await drain()).toMatchObject({ events: 0, flagged: 2 })
      expect(fake.meterEvents).toHaveLength(0)
      expect(await usageStates(db.handle)).toEqual({ flagged: 2 })
    })

    test("a batch span that does not divide a day is refused before anything is leased or sent", async () => {
      const p = await payer()
      await insertUsage(db.handle, [{ ...p, price: 5, createdAt: quietHour() }])
      await expect(runtime.runPromise(reportPass("rep_test", { ...fastReporter, batchSpanMs: 7_000 }))).rejects.toThrow("batchSpanMs must divide a day")
      expect(fake.meterEvents).toHaveLength(0)
      expect(await usageStates(db.handle)).toEqual({ pending: 1 })
    })

    test("with Stripe billing off, nothing is sent and rows stay pending, unbatched", async () => {
      const off = billingRuntime(fake, db.handle, { STRIPE_SECRET_KEY: "" })
      const p = await payer()
      await insertUsage(db.handle, [{ ...p, price: 5, createdAt: Date.now() }])
      expect(await off.runtime.runPromise(drainOutbox(fastReporter))).toMatchObject({ events: 0, reported: 0, halted: true })
      expect(await usageStates(db.handle)).toEqual({ pending: 1 })
      expect(await rows()).toMatchObject([{ stripe_lease_owner: null }])
      await off.runtime.dispose()
    })
  })
}
