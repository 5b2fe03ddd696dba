// Stripe's answer to a meter event whose identifier it already holds, word for
// word (400 invalid_request_error "An event already exists with identifier
// <id>.", Stripe-Should-Retry: false, no error code): the event is billed, so
// the rows it carries are reported and the reconciliation matches. A resend
// is only ever the same event: a meter batch (its id the identifier) never
// changes once written, and rows pending at the upgrade to batches are each a
// batch of one under their own id, the identifier they may already have
// reached Stripe under.
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { sql } from "drizzle-orm"
import { Effect } from "effect"
import { drainOutbox } from "../../src/modules/billing/reporter"
import { reconcilePeriod } from "../../src/modules/billing/service"
import { makeStripe } from "../../src/modules/billing/stripe-client"
import type { DatabaseHandle } from "../../src/platform/db/database"
import { runMigrations } from "../../src/platform/db/migrations"
import { newId } from "../../src/platform/ids"
import { periodOf } from "../../src/platform/period"
import { makeTestApp, readJson, testConfig, type TestApp } from "../support/app"
import { exec, insertKey, insertUsage, insertUser, selectAll, usageStates } from "../support/billing"
import { atMigration, dialects } from "../support/db"
import { startFakeStripe, type FakeStripe } from "../support/fake-stripe/server"
import { billingRuntime, fastReporter } from "../support/reporter"

/** 0000 … 0011: the schema before meter batches (one meter event per row, the row id its identifier). */
const BEFORE_0012 = 12
import { ADMIN_TOKEN, databaseOf, stripeEnv } from "../support/stripe-app"

describe("the fake answers a repeated identifier as Stripe does", () => {
  let fake: FakeStripe
  beforeAll(async () => {
    fake = await startFakeStripe()
    await stripeEnv(fake)
  })
  afterAll(() => fake.close())

  test("400, invalid_request_error, Stripe's message, no code or param, a request log link, Stripe-Should-Retry: false", async () => {
    const send = () =>
      fetch(`${fake.url}/v1/billing/meter_events`, {
        method: "POST",
        headers: { authorization: `Bearer ${fake.secretKey}`, "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ event_name: "tdk_api_call", identifier: "use_dup_shape", "payload[stripe_customer_id]": "cus_x", "payload[value]": "5" }),
      })
    expect((await send()).status).toBe(200)
    const second = await send()
    const body = await second.json()
    expect({ status: second.status, retry: second.headers.get("stripe-should-retry"), body }).toEqual({
      status: 400,
      retry: "false",
      body: { error: { message: "An event already exists with identifier use_dup_shape.", type: "invalid_request_error", request_log_url: expect.stringContaining(second.headers.get("request-id")!) } },
    })
  })
})

for (const dialect of dialects) {
  describe(`a meter event Stripe already holds (${dialect})`, () => {
    let fake: FakeStripe
    let h: TestApp
    let db: DatabaseHandle
    beforeAll(async () => {
      fake = await startFakeStripe()
      h = await makeTestApp(dialect, await stripeEnv(fake))
      db = await databaseOf(h)
    })
    afterAll(async () => {
      await h.close()
      await fake.close()
    })

    const payer = async () => {
      const customerId = await Effect.runPromise(makeStripe(testConfig({ STRIPE_SECRET_KEY: fake.secretKey, STRIPE_API_BASE: fake.url })).createCustomer({ id: `usr_${Math.random()}`, email: "d@example.com" }))
      const userId = await insertUser(db, { customerId })
      return { userId, keyId: await insertKey(db, userId), customerId }
    }
    const reconciliationOf = async (userId: string, period: string) => {
      const r = await readJson(await h.request(`/admin/billing/reconciliation?period=${period}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } }))
      expect(r).toMatchObject({ status: 200 })
      return r.body.users.find((u: { user_id: string }) => u.user_id === userId)
    }

    /** What a reporter that died after Stripe took the event had sent. */
    const sentEarlier = async (identifier: string, customerId: string, value: number, createdAt: number) => {
      const r = await fetch(`${fake.url}/v1/billing/meter_events`, {
        method: "POST",
        headers: { authorization: `Bearer ${fake.secretKey}`, "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ event_name: "tdk_api_call", identifier, timestamp: String(Math.floor(createdAt / 1000)), "payload[stripe_customer_id]": customerId, "payload[value]": String(value) }),
      })
      expect(r.status).toBe(200)
    }
    const batchIdOf = async (h: DatabaseHandle, id: string) => (await selectAll(h, sql`select stripe_batch_id from usage where id = ${id}`))[0]!.stripe_batch_id as string | null
    const eventsNamed = (identifier: string) => fake.meterEvents.filter((e) => e.identifier === identifier).map((e) => ({ customer: e.payload.stripe_customer_id, value: e.payload.value, timestamp: e.timestamp }))

    test("a row pending at the upgrade that a crashed reporter already sent under its own id is resent as a batch of one under that id, taken as accepted, and the reconciliation matches", async () => {
      const p = await payer()
      const createdAt = Date.now() - 60_000
      const [id] = await insertUsage(db, [{ ...p, price: 1_234, createdAt }])
      // The first reporter's send reached Stripe (one event per row, the row id its identifier); it died before marking the row.
      await sentEarlier(id!, p.customerId, 1_234, createdAt)
      // Migration 0012 made each pending row a batch of one under its own id.
      await exec(db, sql`update usage set stripe_batch_id = id where id = ${id} and stripe_state = 'pending' and stripe_batch_id is null`)
      // A call after the upgrade, a second later: a new batch, never the row's own.
      const [later] = await insertUsage(db, [{ ...p, price: 66, createdAt: createdAt + 1_000 }])
      const duplicatesBefore = fake.counters.duplicateIdentifiers

      expect(await h.runtime.runPromise(drainOutbox(fastReporter))).toMatchObject({ events: 2, reported: 2, flagged: 0 })
      expect(fake.counters.duplicateIdentifiers).toBe(duplicatesBefore + 1)
      expect(eventsNamed(id!)).toEqual([{ customer: p.customerId, value: "1234", timestamp: Math.floor(createdAt / 1000) }])
      const fresh = await batchIdOf(db, later!)
      expect(fresh).toStartWith("mtb_")
      expect(eventsNamed(fresh!)).toEqual([{ customer: p.customerId, value: "66", timestamp: Math.floor((createdAt + 1_000) / 1000) }])
      expect(await batchIdOf(db, id!)).toBe(id!)
      expect(await usageStates(db)).toEqual({ reported: 2 })
      expect(await reconciliationOf(p.userId, periodOf(createdAt))).toMatchObject({ billable_micro_usd: 1_300, reported_micro_usd: 1_300, flagged_rows: 0, unreported_rows: 0, match: true })
    })

    test("an event whose reply was lost is resent and the duplicate answer marks its rows reported, never flagged", async () => {
      const p = await payer()
      const createdAt = Date.now() - 30_000
      const ids = await insertUsage(db, [{ ...p, price: 77, createdAt }, { ...p, price: 23, createdAt: createdAt + 1 }])
      const duplicatesBefore = fake.counters.duplicateIdentifiers
      fake.failNext("drop_after", 1, /meter_events/)
      expect(await h.runtime.runPromise(drainOutbox(fastReporter))).toMatchObject({ events: 1, reported: 2, flagged: 0 })
      const batch = await batchIdOf(db, ids[0]!)
      expect(await batchIdOf(db, ids[1]!)).toBe(batch)
      expect(fake.counters.duplicateIdentifiers).toBe(duplicatesBefore + 1)
      expect(eventsNamed(batch!)).toEqual([{ customer: p.customerId, value: "100", timestamp: Math.floor(createdAt / 1000) }])
      expect(await reconciliationOf(p.userId, periodOf(createdAt))).toMatchObject({ reported_micro_usd: 100, flagged_rows: 0, match: true })
    })

    test("rows pending when migration 0012 runs each become a batch of one under their own id: one Stripe holds is a duplicate, one it never got is sent under that id, nothing counted twice", () =>
      atMigration(dialect, BEFORE_0012, async (old) => {
        const customerId = await Effect.runPromise(makeStripe(testConfig({ STRIPE_SECRET_KEY: fake.secretKey, STRIPE_API_BASE: fake.url })).createCustomer({ id: `usr_${Math.random()}`, email: "m@example.com" }))
        const userId = await insertUser(old, { customerId })
        const at = Date.now() - 120_000
        // As the release before batches left them: one row Stripe took before its reporter died, one never sent, one reported.
        const rows = [
          { id: newId("use", at), price: 500, stripe: "pending", createdAt: at },
          { id: newId("use", at + 1), price: 250, stripe: "pending", createdAt: at + 1 },
          { id: newId("use", at + 2), price: 999, stripe: "reported", createdAt: at + 2 },
        ]
        for (const r of rows)
          await exec(old, sql`insert into usage (id, key_id, user_id, agent_id, agent_name, agent_price_micro_usd, markup_micro_usd, developer_price_micro_usd, wallet_id, request_id, state, stripe_state, environment, created_at, settled_at)
            values (${r.id}, 'key', ${userId}, 'agt', 'Agent', ${r.price}, 0, ${r.price}, 'wal', ${`req_${r.id}`}, 'settled', ${r.stripe}, 'live', ${r.createdAt}, ${r.createdAt})`)
        const [taken, unsent, reported] = rows.map((r) => r.id) as [string, string, string]
        await sentEarlier(taken, customerId, 500, at)

        await runMigrations(old)
        expect([await batchIdOf(old, taken), await batchIdOf(old, unsent), await batchIdOf(old, reported)]).toEqual([taken, unsent, null])

        const { runtime } = billingRuntime(fake, old)
        try {
          const duplicatesBefore = fake.counters.duplicateIdentifiers
          // A millisecond apart, the two would be one event if batched afresh, and Stripe would count 500 twice.
          expect(await runtime.runPromise(drainOutbox(fastReporter))).toMatchObject({ events: 2, reported: 2, flagged: 0 })
          expect(fake.counters.duplicateIdentifiers).toBe(duplicatesBefore + 1)
          expect(fake.meterEvents.filter((e) => e.payload.stripe_customer_id === customerId).map((e) => ({ identifier: e.identifier, value: e.payload.value }))).toEqual([
            { identifier: taken, value: "500" },
            { identifier: unsent, value: "250" },
          ])
          expect(await usageStates(old)).toEqual({ reported: 3 })
          const [line] = await runtime.runPromise(reconcilePeriod(periodOf(at)))
          expect(line).toMatchObject({ userId, reportedMicroUsd: 1_749, unreportedRows: 0, flaggedRows: 0, match: true })
        } finally {
          await runtime.dispose()
        }
      }))
  })
}
