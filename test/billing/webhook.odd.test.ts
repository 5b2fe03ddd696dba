// Genuine (validly signed) events whose object cannot be read: each is
// acknowledged with a 2xx (a 5xx has Stripe resend it for days), recorded so a
// redelivery changes nothing, changes nothing itself, and is logged for the
// operator with its id and type.
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { sql } from "drizzle-orm"
import type { DatabaseHandle } from "../../src/platform/db/database"
import { makeTestApp, waitForLog, type TestApp } from "../support/app"
import { billingPeriodRows, insertKey, insertUser, keyRow, selectAll, userRow } from "../support/billing"
import { dialects } from "../support/db"
import { databaseOf, WEBHOOK_SECRET } from "../support/stripe-app"
import { deliverSigned, invoiceObject, snapshotEvent, subscriptionObject } from "../support/stripe-events"

for (const dialect of dialects) {
  describe(`odd stripe events (${dialect})`, () => {
    let h: TestApp
    let db: DatabaseHandle
    let seq = 0
    beforeAll(async () => {
      h = await makeTestApp(dialect, { STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET })
      db = await databaseOf(h)
    })
    afterAll(() => h.close())

    const payer = async () => {
      const customerId = `cus_odd_${++seq}_${dialect}`
      const userId = await insertUser(db, { customerId, tier: "paid" })
      return { customerId, userId, keyId: await insertKey(db, userId) }
    }
    const snapshot = async (p: { userId: string; keyId: string }) => ({
      user: await userRow(db, p.userId),
      key: await keyRow(db, p.keyId),
      periods: await billingPeriodRows(db, p.userId),
    })

    /** Delivers `payload` twice and checks the whole contract for an odd event. */
    const acknowledgedAndInert = async (p: { userId: string; keyId: string }, payload: string) => {
      const { id, type } = JSON.parse(payload) as { id: string; type: string }
      const before = await snapshot(p)
      const r = await deliverSigned(h, payload)
      expect(r).toMatchObject({ status: 200, body: { received: true, event_id: id, outcome: "malformed" } })
      expect(await snapshot(p)).toEqual(before)
      expect((await selectAll(db, sql`select outcome from stripe_events where id = ${id}`))[0]).toEqual({ outcome: "malformed" })
      const line = JSON.parse(await waitForLog(h.logs, (l) => l.includes(id) && l.includes("not applied")))
      expect(line).toMatchObject({ level: "error", event_id: id, type, reason: expect.any(String) })
      expect(await deliverSigned(h, payload)).toMatchObject({ status: 200, body: { outcome: "duplicate" } })
      expect(await snapshot(p)).toEqual(before)
      expect(h.logs.join("\n")).not.toContain(WEBHOOK_SECRET)
    }

    test("a live subscription without items", async () => {
      const p = await payer()
      const { items: _, ...noItems } = subscriptionObject(p.customerId, "active", { tier: "pro" })
      await acknowledgedAndInert(p, snapshotEvent("customer.subscription.updated", noItems))
    })

    test("a live subscription whose items are not a list", async () => {
      const p = await payer()
      await acknowledgedAndInert(p, snapshotEvent("customer.subscription.updated", subscriptionObject(p.customerId, "active", {}, { items: { object: "list", data: "x" } })))
    })

    test("an invoice whose period_start is 1e20", async () => {
      const p = await payer()
      await acknowledgedAndInert(p, snapshotEvent("invoice.payment_failed", invoiceObject(p.customerId, { period_start: 1e20 })))
    })

    test("an invoice whose period_start is \"abc\"", async () => {
      const p = await payer()
      await acknowledgedAndInert(p, snapshotEvent("invoice.paid", invoiceObject(p.customerId, { period_start: "abc" })))
    })

    test("an invoice whose period_start is a fraction of a second", async () => {
      const p = await payer()
      await acknowledgedAndInert(p, snapshotEvent("invoice.finalized", invoiceObject(p.customerId, { period_start: 1_790_000_000.5 })))
    })

    test("an event whose created is not a Unix time", async () => {
      const p = await payer()
      await acknowledgedAndInert(p, snapshotEvent("invoice.payment_failed", invoiceObject(p.customerId), { created: "yesterday" }))
    })

    test("an event whose object is null", async () => {
      const p = await payer()
      await acknowledgedAndInert(p, snapshotEvent("customer.subscription.deleted", null))
    })
  })
}
