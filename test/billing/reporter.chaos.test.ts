// The reporter's exactly-once promise under fire: 10,000 settled usage rows
// reported while the fake Stripe fails a third of all calls at random (5xx,
// 429, connections dropped before and after Stripe acted), and the reporter is
// killed mid-batch twice and restarted on the same database. At the end Stripe
// holds exactly one event per row and the values sum to the ledger's total to
// the micro-dollar.
import { describe, expect, test } from "bun:test"
import { sql } from "drizzle-orm"
import { Effect, Fiber } from "effect"
import { drainOutbox } from "../../src/modules/billing/reporter"
import { reconcilePeriod } from "../../src/modules/billing/service"
import { makeStripe } from "../../src/modules/billing/stripe-client"
import { insertKey, insertUsage, insertUser, selectAll, usageStates } from "../support/billing"
import { testConfig } from "../support/app"
import { dialects, freshDatabase } from "../support/db"
import { startFakeStripe } from "../support/fake-stripe/server"
import { billingRuntime, fastReporter } from "../support/reporter"

const ROWS = 10_000
const CUSTOMERS = 16

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
    test(`${ROWS} rows, a third of calls failing, two kills: one event per row, sums equal`, async () => {
      const fake = await startFakeStripe({ retryAfterSeconds: 0 })
      const db = await freshDatabase(dialect)
      try {
        await Effect.runPromise(makeStripe(testConfig({ STRIPE_SECRET_KEY: fake.secretKey, STRIPE_API_BASE: fake.url })).call("meters.create", (s) =>
          s.billing.meters.create({ display_name: "t", event_name: "tdk_api_call", default_aggregation: { formula: "sum" } })))
        const start = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), 1)
        const now = Date.now()
        const span = Math.max(1, now - start - 1_000)
        for (let c = 0; c < CUSTOMERS; c++) {
          const userId = await insertUser(db.handle, { customerId: `cus_chaos_${c}` })
          const keyId = await insertKey(db.handle, userId)
          const n = ROWS / CUSTOMERS
          await insertUsage(db.handle, Array.from({ length: n }, (_, i) => ({ userId, keyId, price: priceAt(c * n + i), createdAt: start + Math.floor(((c * n + i) * span) / ROWS) })))
        }
        fake.failRandomly(1 / 3, 20_261_124)

        // Two runs killed mid-batch: the fiber interrupted while calls are in flight, the runtime dropped.
        for (const killAfter of [2_000, 5_500]) {
          const { runtime } = billingRuntime(fake, db.handle)
          const fiber = runtime.runFork(drainOutbox(fastReporter))
          await waitFor(() => fake.meterEvents.length >= killAfter, 30_000)
          await Effect.runPromise(Fiber.interrupt(fiber))
          await runtime.dispose()
        }
        expect(fake.meterEvents.length).toBeLessThan(ROWS)

        // A fresh instance finishes the job once the dead instances' leases lapse.
        const { runtime } = billingRuntime(fake, db.handle)
        const deadline = Date.now() + 40_000
        while ((await usageStates(db.handle)).pending !== undefined) {
          if (Date.now() > deadline) throw new Error(`rows still pending: ${JSON.stringify(await usageStates(db.handle))}`)
          await runtime.runPromise(drainOutbox(fastReporter))
          await Bun.sleep(50)
        }

        expect(await usageStates(db.handle)).toEqual({ reported: ROWS })
        const ids = (await selectAll(db.handle, sql`select id from usage`)).map((r) => r.id as string)
        const identifiers = fake.meterEvents.map((e) => e.identifier)
        expect(identifiers).toHaveLength(ROWS)
        expect(new Set(identifiers)).toEqual(new Set(ids))
        const ledger = Number((await selectAll(db.handle, sql`select sum(developer_price_micro_usd) as s from usage`))[0]!.s)
        const stripeSum = fake.meterEvents.reduce((sum, e) => sum + BigInt(e.payload.value!), 0n)
        expect(stripeSum).toBe(BigInt(ledger))
        expect(fake.counters.maxInFlightPerCustomer).toBe(1)
        expect(fake.counters.faults).toBeGreaterThan(ROWS / 4)

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
