// Billing periods closed from the ledger, and the reconciliation report.
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { Effect } from "effect"
import { closeBillingPeriod, monthRange, reconcilePeriod } from "../../src/modules/billing/service"
import { previousPeriod } from "../../src/platform/period"
import { Database, type DatabaseHandle } from "../../src/platform/db/database"
import { billingPeriodRows, insertKey, insertUsage, insertUser } from "../support/billing"
import { makeTestApp, type TestApp } from "../support/app"
import { dialects } from "../support/db"

test("month ranges are UTC calendar months; the previous period rolls over the year", () => {
  expect(monthRange("2026-12")).toEqual({ period: "2026-12", start: Date.UTC(2026, 11, 1), end: Date.UTC(2027, 0, 1) })
  expect(previousPeriod(Date.UTC(2027, 0, 1, 0, 0, 0, 1))).toBe("2026-12")
  expect(previousPeriod(Date.UTC(2026, 9, 31, 23, 59, 59, 999))).toBe("2026-09")
})

for (const dialect of dialects) {
  describe(`billing periods and reconciliation (${dialect})`, () => {
    let h: TestApp
    let db: DatabaseHandle
    let alice: { userId: string; keyId: string }
    let bob: { userId: string; keyId: string }
    const oct = (day: number) => Date.UTC(2026, 9, day, 12)
    beforeAll(async () => {
      h = await makeTestApp(dialect)
      db = await h.runtime.runPromise(Effect.gen(function* () {
        return yield* Database
      }))
      const a = await insertUser(db, { customerId: "cus_alice" })
      const b = await insertUser(db, { customerId: "cus_bob" })
      alice = { userId: a, keyId: await insertKey(db, a) }
      bob = { userId: b, keyId: await insertKey(db, b) }
      await insertUsage(db, [
        { ...alice, price: 1_000_001, createdAt: Date.UTC(2026, 9, 1, 0, 0, 0, 0), stripeState: "reported" },
        { ...alice, price: 250, createdAt: oct(15), stripeState: "pending" },
        { ...alice, price: 3, createdAt: Date.UTC(2026, 10, 1) - 1, stripeState: "flagged" },
        { ...alice, price: 999, createdAt: oct(16), state: "failed", stripeState: "none" },
        { ...alice, price: 777, createdAt: Date.UTC(2026, 10, 1), stripeState: "pending" }, // November
        { ...bob, price: 40, createdAt: oct(2), stripeState: "skipped" },
        { ...bob, price: 60, createdAt: oct(3), stripeState: "reported" },
      ])
    })
    afterAll(() => h.close())

    test("closing a month writes each user's settled ops and total, and rerunning changes nothing", async () => {
      expect(await h.runtime.runPromise(closeBillingPeriod("2026-10"))).toEqual({ period: "2026-10", users: 2 })
      const first = await billingPeriodRows(db, alice.userId)
      expect(first).toMatchObject([{ period: "2026-10", ops: 3, totalMicroUsd: 1_000_254, status: "pending" }])
      expect(await billingPeriodRows(db, bob.userId)).toMatchObject([{ period: "2026-10", ops: 2, totalMicroUsd: 100 }])
      await h.runtime.runPromise(closeBillingPeriod("2026-10"))
      expect((await billingPeriodRows(db, alice.userId)).map(({ closedAt: _, ...r }: any) => r)).toEqual(first.map(({ closedAt: _, ...r }: any) => r))
    })

    test("reconciliation shows, per user, settled, billable, reported, unreported and flagged amounts", async () => {
      const report = await h.runtime.runPromise(reconcilePeriod("2026-10"))
      const byUser = Object.fromEntries(report.map((r) => [r.userId, r]))
      expect(byUser[alice.userId]).toEqual({
        userId: alice.userId, period: "2026-10", settledOps: 3, settledMicroUsd: 1_000_254, billableMicroUsd: 1_000_254, reportedMicroUsd: 1_000_001,
        unreportedRows: 1, unreportedMicroUsd: 250, flaggedRows: 1, flaggedMicroUsd: 3, match: false,
      })
      expect(byUser[bob.userId]).toMatchObject({ settledMicroUsd: 100, billableMicroUsd: 60, reportedMicroUsd: 60, unreportedRows: 0, match: true })
    })
  })
}
