// Billing over the whole app with the fake Stripe and the sandbox: customers
// at registration, card verification, subscriptions, key suspension by
// invoice webhooks, what is reported to Stripe, and reconciliation.
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { sql } from "drizzle-orm"
import { drainOutbox } from "../../src/modules/billing/reporter"
import type { DatabaseHandle } from "../../src/platform/db/database"
import { readJson } from "../support/app"
import { bearer, login, register } from "../support/accounts"
import { selectAll, userRow } from "../support/billing"
import { dialects } from "../support/db"
import { startFakeStripe, type FakeStripe } from "../support/fake-stripe/server"
import { makeGatewayApp, type GatewayApp } from "../support/gateway"
import { fastReporter } from "../support/reporter"
import { ADMIN_TOKEN, databaseOf, deliver, invoiceFor, stripeEnv } from "../support/stripe-app"

for (const dialect of dialects) {
  describe(`billing flows (${dialect})`, () => {
    let fake: FakeStripe
    let g: GatewayApp
    let db: DatabaseHandle
    beforeAll(async () => {
      fake = await startFakeStripe()
      g = await makeGatewayApp(dialect, { ...(await stripeEnv(fake)), REQUIRE_CARD_FOR_FREE: "true" })
      await g.seedPool(3)
      db = await databaseOf(g)
    })
    afterAll(async () => {
      await g.close()
      await fake.close()
    })

    const call = async (key: string) =>
      readJson(await g.request("/v1/agents/warmmemory", { method: "POST", json: { action: "store", key: "k", value: "v" }, headers: bearer(key) }))
    const session = async () => {
      const a = await register(g)
      return { ...a, token: await login(g, a.email) }
    }
    const customerOf = async (userId: string) => (await userRow(db, userId)).stripeCustomerId as string
    // What the browser and Stripe do after POST /v1/billing/card: confirm the intent with a card, then send the webhook.
    const verifyCard = async (userId: string, token: string) => {
      const r = await post("/v1/billing/card", token)
      expect(r).toMatchObject({ status: 200 })
      const intent = fake.setupIntents.get(r.body.setup_intent_id)
      Object.assign(intent, { status: "succeeded", payment_method: `pm_card_${userId}` })
      expect(await deliver(g, "setup_intent.succeeded", intent)).toMatchObject({ status: 200, body: { outcome: "applied" } })
    }
    const post = async (path: string, token: string, json?: unknown) => readJson(await g.request(path, { method: "POST", headers: bearer(token), ...(json === undefined ? {} : { json }) }))
    const get = async (path: string, token: string) => readJson(await g.request(path, { headers: bearer(token) }))

    test("registration creates the Stripe customer with the user id as metadata and stores it", async () => {
      const a = await register(g)
      const customerId = await customerOf(a.userId)
      expect(customerId).toMatch(/^cus_/)
      expect(fake.customers.get(customerId)).toMatchObject({ email: a.email, metadata: { tdk_user_id: a.userId } })
    })

    test("a Stripe outage at registration keeps the account; the card route creates the customer later", async () => {
      fake.failNext("500", 1, /^POST \/v1\/customers$/)
      const a = await session()
      expect((await userRow(db, a.userId)).stripeCustomerId).toBeNull()
      expect(g.logs.some((l) => l.includes("Stripe customer not created at registration") && l.includes(a.userId))).toBe(true)
      const r = await post("/v1/billing/card", a.token)
      expect(r).toMatchObject({ status: 200 })
      const customerId = await customerOf(a.userId)
      expect(fake.customers.get(customerId)).toMatchObject({ metadata: { tdk_user_id: a.userId } })
      expect(fake.setupIntents.get(r.body.setup_intent_id)).toMatchObject({ customer: customerId })
    })

    test("the card route returns a SetupIntent client secret for the user's customer, no charge", async () => {
      const a = await session()
      const before = { subscriptions: fake.subscriptions.size, invoices: fake.invoices.size, meterEvents: fake.meterEvents.length }
      const r = await post("/v1/billing/card", a.token)
      expect(r).toMatchObject({ status: 200, body: { card_verified: false } })
      // Saving a card bills nothing: no subscription, invoice or usage reaches Stripe.
      expect({ subscriptions: fake.subscriptions.size, invoices: fake.invoices.size, meterEvents: fake.meterEvents.length }).toEqual(before)
      expect(r.body.client_secret).toStartWith(`${r.body.setup_intent_id}_secret_`)
      expect(r.headers.get("cache-control")).toBe("no-store")
      expect(fake.setupIntents.get(r.body.setup_intent_id)).toMatchObject({ customer: await customerOf(a.userId), usage: "off_session", metadata: { tdk_user_id: a.userId } })
      expect(await post("/v1/billing/card", "tks_notasession")).toMatchObject({ status: 401 })
    })

    test("REQUIRE_CARD_FOR_FREE: a free key's call is 402 card_required until setup_intent.succeeded, then works at once", async () => {
      const a = await session()
      expect(await call(a.key)).toMatchObject({ status: 402, body: { code: "card_required", reason: "free_tier_requires_card" } })
      await verifyCard(a.userId, a.token)
      expect(await call(a.key)).toMatchObject({ status: 200, body: { usage: { tier: "free" } } })
      expect(await get("/v1/billing", a.token)).toMatchObject({ status: 200, body: { tier: "free", card: { verified: true } } })
    })

    test("subscribe needs a card, then raises the tier of the account and its keys at once; cancel ends it at period end", async () => {
      const a = await session()
      expect(await get("/v1/key", a.key)).toMatchObject({ status: 200, body: { tier: "free", limits: { monthly_quota: 5000 } } })
      expect(await post("/v1/billing/subscribe", a.token, { tier: "pro" })).toMatchObject({ status: 402, body: { code: "card_required", reason: "subscription_requires_card" } })
      await verifyCard(a.userId, a.token)
      const sub = await post("/v1/billing/subscribe", a.token, { tier: "pro" })
      expect(sub).toMatchObject({ status: 200, body: { tier: "pro" } })
      expect(fake.subscriptions.get(sub.body.subscription_id)).toMatchObject({
        customer: await customerOf(a.userId),
        metadata: { tier: "pro", tdk_user_id: a.userId },
        items: { data: [{ price: { id: g.config.stripePriceId } }] },
        // Invoices are charged to the card the SetupIntent saved.
        default_payment_method: `pm_card_${a.userId}`,
      })
      // The key was cached as free a moment ago: the change is visible on the very next request.
      expect(await get("/v1/key", a.key)).toMatchObject({ status: 200, body: { tier: "pro", limits: { rate_limit_per_minute: 10_000, monthly_quota: null, concurrency: 50 } } })
      expect(await post("/v1/billing/subscribe", a.token, { tier: "enterprise" })).toMatchObject({ status: 422 })

      const cancel = await post("/v1/billing/cancel", a.token)
      expect(cancel).toMatchObject({ status: 200, body: { tier: "pro", cancel_at_period_end: true, subscription_ids: [sub.body.subscription_id] } })
      expect(fake.subscriptions.get(sub.body.subscription_id)).toMatchObject({ cancel_at_period_end: true, status: "active" })
      // Stripe ends it at the period's end.
      fake.subscriptions.get(sub.body.subscription_id).status = "canceled"
      expect(await deliver(g, "customer.subscription.deleted", fake.subscriptions.get(sub.body.subscription_id))).toMatchObject({ status: 200, body: { outcome: "applied" } })
      expect(await get("/v1/key", a.key)).toMatchObject({ status: 200, body: { tier: "free", limits: { monthly_quota: 5000 } } })
      expect(await post("/v1/billing/cancel", a.token)).toMatchObject({ status: 409, body: { code: "no_subscription" } })
      // Subscribing again makes a new subscription, not a replay of the ended one.
      const again = await post("/v1/billing/subscribe", a.token, { tier: "paid" })
      expect(again).toMatchObject({ status: 200, body: { tier: "paid" } })
      expect(again.body.subscription_id).not.toBe(sub.body.subscription_id)
    })

    test("invoice.payment_failed: the next call is 403; invoice.paid: calls work again", async () => {
      const a = await session()
      await verifyCard(a.userId, a.token)
      expect(await post("/v1/billing/subscribe", a.token, { tier: "paid" })).toMatchObject({ status: 200 })
      expect(await call(a.key)).toMatchObject({ status: 200, body: { usage: { tier: "paid" } } })
      const customer = await customerOf(a.userId)
      expect(await deliver(g, "invoice.payment_failed", invoiceFor(customer))).toMatchObject({ status: 200, body: { outcome: "applied" } })
      expect(await call(a.key)).toMatchObject({ status: 403, body: { code: "api_key_suspended", reason: "payment_failed" } })
      expect(await deliver(g, "invoice.paid", invoiceFor(customer))).toMatchObject({ status: 200, body: { outcome: "applied" } })
      expect(await call(a.key)).toMatchObject({ status: 200 })
    })

    test("free-tier usage is never reported; after a mid-month upgrade only calls from the upgrade on are; reconciliation is exact", async () => {
      const a = await session()
      await verifyCard(a.userId, a.token)
      const free = [await call(a.key), await call(a.key)]
      for (const r of free) expect(r).toMatchObject({ status: 200, body: { usage: { tier: "free" } } })
      expect(await post("/v1/billing/subscribe", a.token, { tier: "paid" })).toMatchObject({ status: 200 })
      const paid = await call(a.key)
      expect(paid).toMatchObject({ status: 200, body: { usage: { tier: "paid" } } })
      const price = paid.body.usage.cost_micro_usd as number
      const all = free.reduce((s, r) => s + (r.body.usage.cost_micro_usd as number), price)

      const rows = await selectAll(db, sql`select id, stripe_state, developer_price_micro_usd, created_at from usage where user_id = ${a.userId} order by created_at, id`)
      expect(rows.map((r) => r.stripe_state)).toEqual(["skipped", "skipped", "pending"])
      const summary = await get("/v1/billing", a.token)
      expect(summary).toMatchObject({ status: 200, body: { tier: "paid", current_period: { ops: 3, total_micro_usd: all, billable_micro_usd: price, reported_micro_usd: 0 } } })
      // Three warmmemory calls at $0.001 + 50% markup.
      expect({ all, total_usd: summary.body.current_period.total_usd, billable_usd: summary.body.current_period.billable_usd }).toEqual({ all: 4500, total_usd: "0.0045", billable_usd: "0.0015" })

      const period = new Date().toISOString().slice(0, 7)
      const admin = { authorization: `Bearer ${ADMIN_TOKEN}` }
      const reconcile = async () => {
        const r = await readJson(await g.request(`/admin/billing/reconciliation?period=${period}`, { headers: admin }))
        expect(r).toMatchObject({ status: 200, body: { period } })
        return { all: r.body, mine: r.body.users.find((u: { user_id: string }) => u.user_id === a.userId) }
      }
      const before = await reconcile()
      expect(before.mine).toEqual({
        user_id: a.userId, settled_ops: 3, settled_micro_usd: all, billable_micro_usd: price, reported_micro_usd: 0,
        unreported_rows: 1, unreported_micro_usd: price, flagged_rows: 0, flagged_micro_usd: 0, match: false,
      })
      expect(before.all.match).toBe(false)

      const customer = await customerOf(a.userId)
      // (Other tests' paid calls share this database: the drain reports theirs too.)
      expect(await g.runtime.runPromise(drainOutbox(fastReporter))).toMatchObject({ flagged: 0, halted: false })
      // One meter event, for the paid call alone: the batch written on its row, never on the free ones.
      const batches = await selectAll(db, sql`select id, stripe_batch_id from usage where user_id = ${a.userId} order by created_at, id`)
      expect(batches.map((r) => r.stripe_batch_id === null)).toEqual([true, true, false])
      const batchId = batches[2]!.stripe_batch_id as string
      expect(batchId).toStartWith("mtb_")
      const mine = fake.meterEvents.filter((e) => e.payload.stripe_customer_id === customer)
      expect(mine).toEqual([expect.objectContaining({ identifier: batchId, timestamp: Math.floor(Number(rows[2]!.created_at) / 1000), payload: { stripe_customer_id: customer, value: String(price) } })])
      const after = await reconcile()
      expect(after.mine).toMatchObject({ billable_micro_usd: price, reported_micro_usd: price, unreported_rows: 0, unreported_micro_usd: 0, match: true })
      expect(await get("/v1/billing", a.token)).toMatchObject({ status: 200, body: { current_period: { reported_micro_usd: price } } })
    })

    test("the reconciliation route refuses a missing or wrong admin token and a malformed period", async () => {
      expect(await readJson(await g.request("/admin/billing/reconciliation?period=2026-10"))).toMatchObject({ status: 401 })
      expect(await readJson(await g.request("/admin/billing/reconciliation?period=2026-10", { headers: { authorization: "Bearer not-the-admin-token-at-all-000" } }))).toMatchObject({ status: 401 })
      expect(await readJson(await g.request("/admin/billing/reconciliation?period=2026-13", { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } }))).toMatchObject({ status: 422 })
      expect(g.logs.join("\n")).not.toContain(ADMIN_TOKEN)
    })
  })
}
