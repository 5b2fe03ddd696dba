// The reporter's exactly-once promise under fire: 10,000 settled usage rows
// of 16 customers, aggregated into meter batches, reported while the fake
// Stripe fails a third of all calls at random (5xx, 429, connections dropped
// before and after Stripe acted), and the reporter is killed mid-pass twice
// and restarted on the same database. At the end every row is in exactly one
// event Stripe holds, each event's value is the sum of its rows, and Stripe's
// total equals the ledger's to the micro-dollar.
import { describe, expect, test } from "bun:test"
import { sql } from "drizzle-orm"
import { Effect, Fiber } from "effect"
import { bucketOf } from "../../src/modules/billing/meter-batches"
import { drainOutbox, runReporter } from "../../src/modules/billing/reporter"
import { reconcilePeriod } from "../../src/modules/billing/service"
import { makeStripe } from "../../src/modules/billing/stripe-client"
import { insertKey, insertUsage, insertUser, selectAll, usageStates } from "../support/billing"
import { testConfig } from "../support/app"
import { dialects, freshDatabase } from "../support/db"
import { startFakeStripe } from "../support/fake-stripe/server"
import { billingRuntime, fastReporter } from "../support/reporter"

const ROWS = 10_000
const CUSTOMERS = 16
/** Ten minutes of a customer's calls per event: about 17 rows each over six hours. */
const options = { ...fastReporter, batchSpanMs: 10 * 60_000 }

/** Deterministic prices, 1 to 2,000,000 micro-USD. */
const priceAt = (i: number) => 1 + ((i * 2_654_435_761) % 2_000_000)

const waitFor = async (condition: () => boolean, timeoutMs: number) => {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not reached in time")
    await Bun.sleep(5)
  }
}

for (const dialect of dialects) {
  describe(`usage reporter chaos (${dialect})`, () => {
    test(`${ROWS} rows in batches, a third of calls failing, two kills: every row in exactly one event, sums equal`, async () => {
      const fake = await startFakeStripe({ retryAfterSeconds: 0 })
      const db = await freshDatabase(dialect)
      try {
        await Effect.runPromise(makeStripe(testConfig({ STRIPE_SECRET_KEY: fake.secretKey, STRIPE_API_BASE: fake.url })).call("meters.create", (s) =>
          s.billing.meters.create({ display_name: "t", event_name: "tdk_api_call", default_aggregation: { formula: "sum" } })))
        // The last six hours, within this month (one period to reconcile).
        const now = Date.now()
        const start = Math.max(Date.UTC(new Date(now).getUTCFullYear(), new Date(now).getUTCMonth(), 1), now - 6 * 3_600_000)
        const span = Math.max(1, now - start - 1_000)
        let expectedEvents = 0
        for (let c = 0; c < CUSTOMERS; c++) {
          const userId = await insertUser(db.handle, { customerId: `cus_chaos_${c}` })
          const keyId = await insertKey(db.handle, userId)
          const n = ROWS / CUSTOMERS
          const times = Array.from({ length: n }, (_, i) => start + Math.floor(((c * n + i) * span) / ROWS))
          expectedEvents += new Set(times.map((t) => bucketOf(t, options.batchSpanMs))).size
          await insertUsage(db.handle, times.map((createdAt, i) => ({ userId, keyId, price: priceAt(c * n + i), createdAt })))
        }
        fake.failRandomly(1 / 3, 20_261_124)

        // Two runs killed mid-batch: the fiber interrupted while calls are in flight, the runtime dropped.
        for (const killAfter of [Math.ceil(expectedEvents * 0.25), Math.ceil(expectedEvents * 0.6)]) {
          const { runtime } = billingRuntime(fake, db.handle)
          // The long-running reporter: it waits out the dead instance's leases, as in the server.
          const fiber = runtime.runFork(runReporter(options))
          await waitFor(() => fake.meterEvents.length >= killAfter, 30_000)
          await Effect.runPromise(Fiber.interrupt(fiber))
          await runtime.dispose()
        }
        expect(fake.meterEvents.length).toBeLessThan(expectedEvents)

        // A fresh instance finishes the job once the dead instances' leases lapse.
        const { runtime } = billingRuntime(fake, db.handle)
        const deadline = Date.now() + 40_000
        while ((await usageStates(db.handle)).pending !== undefined) {
          if (Date.now() > deadline) throw new Error(`rows still pending: ${JSON.stringify(await usageStates(db.handle))}`)
          await runtime.runPromise(drainOutbox(options))
          await Bun.sleep(50)
        }

        expect(await usageStates(db.handle)).toEqual({ reported: ROWS })
        // Every row carries a batch, and the batches are exactly the events Stripe holds, each once.
        const batches = await selectAll(db.handle, sql`
          select stripe_batch_id as id, count(*) as n, sum(developer_price_micro_usd) as value, min(created_at) as first_at
          from usage group by stripe_batch_id`)
        expect(batches.some((b) => b.id === null)).toBe(false)
        const events = new Map(fake.meterEvents.map((e) => [e.identifier, e]))
        expect(events.size).toBe(fake.meterEvents.length)
        expect(new Set(events.keys())).toEqual(new Set(batches.map((b) => b.id as string)))
        for (const b of batches) {
          const event = events.get(b.id as string)!
          expect({ value: event.payload.value, timestamp: event.timestamp }).toEqual({ value: String(b.value), timestamp: Math.floor(Number(b.first_at) / 1000) })
        }
        // A resend after a lost answer or a kill was the same event: Stripe refused the repeat by identifier.
        expect(fake.counters.duplicateIdentifiers).toBeGreaterThan(0)
        const ledger = Number((await selectAll(db.handle, sql`select sum(developer_price_micro_usd) as s from usage`))[0]!.s)
        const stripeSum = fake.meterEvents.reduce((sum, e) => sum + BigInt(e.payload.value!), 0n)
        expect(stripeSum).toBe(BigInt(ledger))
        expect(fake.counters.maxInFlightPerCustomer).toBe(1)
        expect(fake.counters.faults).toBeGreaterThan(expectedEvents / 4)

        const period = new Date(start).toISOString().slice(0, 7)
        const report = await runtime.runPromise(reconcilePeriod(period))
        expect(report).toHaveLength(CUSTOMERS)
        for (const r of report) expect(r).toMatchObject({ match: true, unreportedRows: 0, flaggedRows: 0, reportedMicroUsd: r.settledMicroUsd })
        await runtime.dispose()
      } finally {
        await db.close()
        await fake.close()
      }
    }, 90_000)
  })
}
