// Stripe does not deliver events in order. An event older than the one that
// last set a piece of state (a user's payment standing and tier, a billing
// period's status) is acknowledged as stale and moves nothing back; events in
// order apply as before.
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { sql } from "drizzle-orm"
import type { DatabaseHandle } from "../../src/platform/db/database"
import { makeTestApp, type TestApp } from "../support/app"
import { billingPeriodRows, insertKey, insertUser, keyRow, selectAll, userRow } from "../support/billing"
import { dialects } from "../support/db"
import { databaseOf, WEBHOOK_SECRET } from "../support/stripe-app"
import { deliverSigned, invoiceObject, nowS, snapshotEvent, subscriptionObject } from "../support/stripe-events"

const HOUR_S = 3_600

for (const dialect of dialects) {
  describe(`stripe webhooks out of order (${dialect})`, () => {
    let h: TestApp
    let db: DatabaseHandle
    let seq = 0
    beforeAll(async () => {
      h = await makeTestApp(dialect, { STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET })
      db = await databaseOf(h)
    })
    afterAll(() => h.close())

    const payer = async (tier = "paid") => {
      const customerId = `cus_order_${++seq}_${dialect}`
      const userId = await insertUser(db, { customerId, tier })
      return { customerId, userId, keyId: await insertKey(db, userId, { tier }) }
    }
    const send = (type: string, object: unknown, created: number) => deliverSigned(h, snapshotEvent(type, object, { created }))
    const outcomeOf = async (id: string) => (await selectAll(db, sql`select outcome from stripe_events where id = ${id}`))[0]?.outcome

    test("a payment failure older than the payment already applied does not suspend the keys again", async () => {
      const p = await payer()
      const inv = invoiceObject(p.customerId)
      const t = nowS()
      expect(await send("invoice.payment_failed", inv, t - 60)).toMatchObject({ status: 200, body: { outcome: "applied" } })
      expect(await keyRow(db, p.keyId)).toMatchObject({ status: "suspended", statusReason: "payment_failed" })
      expect(await send("invoice.paid", inv, t)).toMatchObject({ status: 200, body: { outcome: "applied" } })
      expect(await keyRow(db, p.keyId)).toMatchObject({ status: "active" })

      // An earlier failed attempt, delivered last (a new event id, created an hour before).
      const late = snapshotEvent("invoice.payment_failed", inv, { created: t - HOUR_S })
      const r = await deliverSigned(h, late)
      expect(r).toMatchObject({ status: 200, body: { received: true, outcome: "stale" } })
      expect(await keyRow(db, p.keyId)).toMatchObject({ status: "active", statusReason: null })
      expect(await billingPeriodRows(db, p.userId)).toMatchObject([{ period: "2026-10", status: "paid", stripeInvoiceId: inv.id }])
      expect(await outcomeOf(JSON.parse(late).id)).toBe("stale")
      // Recorded: the redelivery is a duplicate, still nothing moves.
      expect(await deliverSigned(h, late)).toMatchObject({ status: 200, body: { outcome: "duplicate" } })
      expect(await keyRow(db, p.keyId)).toMatchObject({ status: "active" })
    })

    test("a subscription update older than its deletion does not make the user pro again", async () => {
      const p = await payer("free")
      const t = nowS()
      expect(await send("customer.subscription.updated", subscriptionObject(p.customerId, "active", { tier: "pro" }), t - 120)).toMatchObject({ body: { outcome: "applied" } })
      expect(await userRow(db, p.userId)).toMatchObject({ tier: "pro" })
      expect(await send("customer.subscription.deleted", subscriptionObject(p.customerId, "canceled", { tier: "pro" }), t)).toMatchObject({ body: { outcome: "applied" } })
      expect(await userRow(db, p.userId)).toMatchObject({ tier: "free" })

      expect(await send("customer.subscription.updated", subscriptionObject(p.customerId, "active", { tier: "pro" }), t - HOUR_S)).toMatchObject({ status: 200, body: { outcome: "stale" } })
      expect(await userRow(db, p.userId)).toMatchObject({ tier: "free" })
      expect(await keyRow(db, p.keyId)).toMatchObject({ tier: "free" })
    })

    test("events in order still apply: failed, paid, then a newer failure suspends again; a new subscription after a deletion raises the tier", async () => {
      const p = await payer()
      const t = nowS()
      const oct = invoiceObject(p.customerId)
      const nov = invoiceObject(p.customerId, { period_start: Date.UTC(2026, 10, 1) / 1000 })
      await send("invoice.payment_failed", oct, t - 300)
      await send("invoice.paid", oct, t - 200)
      expect(await keyRow(db, p.keyId)).toMatchObject({ status: "active" })
      expect(await send("invoice.payment_failed", nov, t - 100)).toMatchObject({ body: { outcome: "applied" } })
      expect(await keyRow(db, p.keyId)).toMatchObject({ status: "suspended", statusReason: "payment_failed" })
      expect((await billingPeriodRows(db, p.userId)).map((r: { period: string; status: string }) => [r.period, r.status]).sort()).toEqual([["2026-10", "paid"], ["2026-11", "failed"]])

      await send("customer.subscription.deleted", subscriptionObject(p.customerId, "canceled"), t - 50)
      expect(await userRow(db, p.userId)).toMatchObject({ tier: "free" })
      expect(await send("customer.subscription.updated", subscriptionObject(p.customerId, "active", { tier: "pro" }, { id: "sub_order_2" }), t)).toMatchObject({ body: { outcome: "applied" } })
      expect(await userRow(db, p.userId)).toMatchObject({ tier: "pro" })
    })

    test("within one second the terminal state of one object wins: paid over failed, deleted over updated", async () => {
      const p = await payer("free")
      const t = nowS()
      const inv = invoiceObject(p.customerId)
      await send("invoice.payment_failed", inv, t - 10)
      await send("invoice.paid", inv, t)
      expect(await send("invoice.payment_failed", inv, t)).toMatchObject({ body: { outcome: "stale" } })
      expect(await keyRow(db, p.keyId)).toMatchObject({ status: "active" })

      await send("customer.subscription.deleted", subscriptionObject(p.customerId, "canceled"), t)
      expect(await send("customer.subscription.updated", subscriptionObject(p.customerId, "active", { tier: "pro" }), t)).toMatchObject({ body: { outcome: "stale" } })
      expect(await userRow(db, p.userId)).toMatchObject({ tier: "free" })
    })

    test("a late event about another invoice or subscription changes only the state it is the newest for", async () => {
      const p = await payer()
      const t = nowS()
      const oct = invoiceObject(p.customerId)
      const nov = invoiceObject(p.customerId, { period_start: Date.UTC(2026, 10, 1) / 1000 })
      await send("invoice.payment_failed", oct, t - 300)
      await send("invoice.paid", nov, t - 100)
      expect(await keyRow(db, p.keyId)).toMatchObject({ status: "active" })
      // October's invoice was paid before November's, but its event comes last:
      // October's period becomes paid; the keys, already active since November's, stay so.
      expect(await send("invoice.paid", oct, t - 200)).toMatchObject({ body: { outcome: "applied" } })
      expect((await billingPeriodRows(db, p.userId)).map((r: { period: string; status: string }) => [r.period, r.status]).sort()).toEqual([["2026-10", "paid"], ["2026-11", "paid"]])
      // An old subscription's deletion arriving after the new one's update leaves the paid tier.
      await send("customer.subscription.updated", subscriptionObject(p.customerId, "active", {}, { id: "sub_order_new" }), t - 10)
      expect(await send("customer.subscription.deleted", subscriptionObject(p.customerId, "canceled", {}, { id: "sub_order_old" }), t - 500)).toMatchObject({ body: { outcome: "stale" } })
      expect(await userRow(db, p.userId)).toMatchObject({ tier: "paid" })
    })

    test("a new subscription's update in the same second as the old one's deletion still raises the tier (cancel and resubscribe)", async () => {
      const p = await payer("pro")
      const t = nowS()
      await send("customer.subscription.deleted", subscriptionObject(p.customerId, "canceled", {}, { id: "sub_gap_old" }), t)
      expect(await send("customer.subscription.updated", subscriptionObject(p.customerId, "active", { tier: "pro" }, { id: "sub_gap_new" }), t)).toMatchObject({ body: { outcome: "applied" } })
      expect(await userRow(db, p.userId)).toMatchObject({ tier: "pro" })
    })
  })
}
