// The reporter's pace: when Stripe answers at once, a pass comes back to its
// customers before many calls have settled. It waits out the rest of
// minPassMs, so each meter event carries what settled meanwhile instead of one
// event per pass per customer.
import { describe, expect, test } from "bun:test"
import { sql } from "drizzle-orm"
import { Effect, Fiber } from "effect"
import { defaultReporterOptions, pauseAfterPass, runReporter, type PassResult } from "../../src/modules/billing/reporter"
import { makeStripe } from "../../src/modules/billing/stripe-client"
import { insertKey, insertUsage, insertUser, selectAll, usageStates } from "../support/billing"
import { testConfig } from "../support/app"
import { dialects, freshDatabase } from "../support/db"
import { startFakeStripe } from "../support/fake-stripe/server"
import { billingRuntime, fastReporter } from "../support/reporter"

const pass = (p: Partial<PassResult>): PassResult => ({ users: 3, events: 3, reported: 9, flagged: 0, deferred: 0, halted: false, ...p })
const options = { ...defaultReporterOptions, idleMs: 5_000, minPassMs: 500 }

describe("pauseAfterPass", () => {
  test("a busy pass that took less than minPassMs waits the rest", () => {
    expect(pauseAfterPass(pass({}), 120, options)).toBe(380)
  })

  test("a busy pass that took minPassMs or longer goes straight on", () => {
    expect(pauseAfterPass(pass({}), 500, options)).toBe(0)
    expect(pauseAfterPass(pass({}), 900, options)).toBe(0)
  })

  test("nothing to do, Stripe unusable, or every user deferred: the idle pause", () => {
    expect(pauseAfterPass(pass({ users: 0, events: 0, reported: 0 }), 3, options)).toBe(5_000)
    expect(pauseAfterPass(pass({ halted: true }), 3, options)).toBe(5_000)
    expect(pauseAfterPass(pass({ users: 2, deferred: 2 }), 3, options)).toBe(5_000)
  })

  test("the wall clock stepping back during a pass never stretches the pause past minPassMs", () => {
    expect(pauseAfterPass(pass({}), -3_600_000, options)).toBe(500)
  })

  test("a pass with some users deferred is still busy", () => {
    expect(pauseAfterPass(pass({ users: 2, deferred: 1 }), 100, options)).toBe(400)
  })
})

const waitFor = async (condition: () => Promise<boolean>, timeoutMs: number) => {
  const deadline = Date.now() + timeoutMs
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error("condition not reached in time")
    await Bun.sleep(10)
  }
}

for (const dialect of dialects) {
  describe(`usage reporter pace (${dialect})`, () => {
    test("calls settling every 20 ms for 1.5 s, Stripe answering at once: a few events carry them all, each row once", async () => {
      const fake = await startFakeStripe()
      const db = await freshDatabase(dialect)
      try {
        await Effect.runPromise(makeStripe(testConfig({ STRIPE_SECRET_KEY: fake.secretKey, STRIPE_API_BASE: fake.url })).call("meters.create", (s) =>
          s.billing.meters.create({ display_name: "t", event_name: "tdk_api_call", default_aggregation: { formula: "sum" } })))
        const userId = await insertUser(db.handle, { customerId: "cus_pace" })
        const keyId = await insertKey(db.handle, userId)
        const { runtime } = billingRuntime(fake, db.handle)
        // Idle pauses short, as in the other reporter tests: only the pace spaces the passes.
        const fiber = runtime.runFork(runReporter({ ...fastReporter, idleMs: 20, minPassMs: 400 }))
        const rows = 75
        for (let i = 0; i < rows; i++) {
          await insertUsage(db.handle, [{ userId, keyId, price: 1_000 + i, createdAt: Date.now() }])
          await Bun.sleep(20)
        }
        await waitFor(async () => (await usageStates(db.handle)).pending === undefined, 10_000)
        await Effect.runPromise(Fiber.interrupt(fiber))
        await runtime.dispose()

        expect(await usageStates(db.handle)).toEqual({ reported: rows })
        // 1.5 s of arrivals at one pass per 400 ms: about four passes (one more
        // for a minute boundary crossed, which splits a pass's rows in two
        // batches). Passes back to back every 20 ms would send dozens.
        expect(fake.meterEvents.length).toBeGreaterThanOrEqual(2)
        expect(fake.meterEvents.length).toBeLessThanOrEqual(8)
        const ledger = Number((await selectAll(db.handle, sql`select sum(developer_price_micro_usd) as s from usage`))[0]!.s)
        expect(fake.meterEvents.reduce((sum, e) => sum + Number(e.payload.value), 0)).toBe(ledger)
        expect(new Set(fake.meterEvents.map((e) => e.identifier)).size).toBe(fake.meterEvents.length)
      } finally {
        await db.close()
        await fake.close()
      }
    }, 30_000)
  })
}
