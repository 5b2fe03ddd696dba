// Stripe's asynchronous meter-event error reports (thin events delivered to
// POST /v1/webhooks/stripe/thin): a report names meter events by identifier,
// a meter batch's id (or, for a row reported one event per row before
// batches, the row's own id); every usage row of a named event goes back to
// the operator as flagged and stops counting as accepted; errors it counts
// without naming an event of ours are logged at error level and shown by the
// reconciliation; and deliveries that are not genuine change nothing.
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test"
import { sql } from "drizzle-orm"
import { Effect } from "effect"
import { drainOutbox } from "../../src/modules/billing/reporter"
import { makeStripe } from "../../src/modules/billing/stripe-client"
import type { DatabaseHandle } from "../../src/platform/db/database"
import { newId } from "../../src/platform/ids"
import { periodOf } from "../../src/platform/period"
import { Store } from "../../src/store/store"
import { makeTestApp, readJson, testConfig, waitForLog, type TestApp } from "../support/app"
import { insertKey, insertUsage, insertUser, quietHour, selectAll } from "../support/billing"
import { dialects } from "../support/db"
import { startFakeStripe, type FakeStripe } from "../support/fake-stripe/server"
import { stripeSignature } from "../support/fake-stripe/thin-events"
import { fastReporter } from "../support/reporter"
import { ADMIN_TOKEN, databaseOf, stripeEnv, WEBHOOK_SECRET } from "../support/stripe-app"
import Stripe from "stripe"

const THIN_SECRET = "whsec_test_thin_destination_secret"

type Delivery = { readonly body: string; readonly signature: (secret: string, timestampS?: number) => string }

for (const dialect of dialects) {
  describe(`stripe meter error reports (${dialect})`, () => {
    let fake: FakeStripe
    let h: TestApp
    let db: DatabaseHandle
    let meterId: string
    beforeAll(async () => {
      fake = await startFakeStripe({ meterErrorSamples: 2 })
      const env = await stripeEnv(fake)
      meterId = [...fake.meters.values()][0].id
      h = await makeTestApp(dialect, { ...env, STRIPE_THIN_WEBHOOK_SECRET: THIN_SECRET, STRIPE_METER_ID: meterId, LOG_LEVEL: "info" })
      db = await databaseOf(h)
    })
    afterAll(async () => {
      await h.close()
      await fake.close()
    })
    beforeEach(() => {
      fake.heal()
      fake.meterErrorReport() // drops what earlier tests left pending
    })

    const payer = async (known = true) => {
      const customerId = known
        ? await Effect.runPromise(makeStripe(testConfig({ STRIPE_SECRET_KEY: fake.secretKey, STRIPE_API_BASE: fake.url })).createCustomer({ id: `usr_${Math.random()}`, email: "m@example.com" }))
        : `cus_deleted_${Math.random().toString(36).slice(2)}`
      const userId = await insertUser(db, { customerId })
      return { userId, keyId: await insertKey(db, userId), customerId }
    }
    const deliver = async (d: Delivery, opts: { secret?: string; timestampS?: number } = {}) =>
      readJson(await h.request("/v1/webhooks/stripe/thin", { method: "POST", body: d.body, headers: { "content-type": "application/json", "stripe-signature": d.signature(opts.secret ?? THIN_SECRET, opts.timestampS) } }))
    const reconciliation = async (period: string) => {
      const r = await readJson(await h.request(`/admin/billing/reconciliation?period=${period}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } }))
      expect(r).toMatchObject({ status: 200 })
      return r.body
    }
    const lineOf = (report: { users: Array<{ user_id: string }> }, userId: string) => report.users.find((u) => u.user_id === userId)
    const stateOf = async (ids: ReadonlyArray<string>) =>
      Object.fromEntries((await selectAll(db, sql`select id, stripe_state, stripe_error, stripe_batch_id from usage`)).filter((r) => ids.includes(r.id)).map((r) => [r.id, r]))
    /** The meter batch written on these rows (they must share one). */
    const batchOf = async (ids: ReadonlyArray<string>) => {
      const found = [...new Set((Object.values(await stateOf(ids)) as Array<Record<string, unknown>>).map((r) => r.stripe_batch_id as string | null))]
      expect(found).toHaveLength(1)
      return found[0]!
    }
    /** The identifiers a report's samples name. */
    const sampled = (report: { event: { data: Record<string, any> } }): Array<string> =>
      report.event.data.reason.error_types.flatMap((t: { sample_errors: Array<{ request: { identifier: string } }> }) => t.sample_errors.map((e) => e.request.identifier))
    const eventFetches = () => Object.entries(fake.counters.byRoute).filter(([k]) => k.includes("v2")).reduce((n, [, v]) => n + v, 0)

    test("rows Stripe accepted and then dropped are flagged with Stripe's reason, no longer count as accepted, and the reconciliation shows them", async () => {
      const good = await payer()
      const gone = await payer(false)
      const at = Date.now() - 60_000
      const [ok] = await insertUsage(db, [{ ...good, price: 500, createdAt: at }])
      const dropped = await insertUsage(db, [{ ...gone, price: 300, createdAt: at }, { ...gone, price: 200, createdAt: at + 1 }])
      expect(await h.runtime.runPromise(drainOutbox(fastReporter))).toMatchObject({ reported: 3, flagged: 0 })
      const period = periodOf(at)
      expect(lineOf(await reconciliation(period), gone.userId)).toMatchObject({ reported_micro_usd: 500, match: true })

      // Stripe dropped one event: the batch carrying both rows of the unknown customer.
      const report = fake.meterErrorReport()!
      const batch = await batchOf(dropped)
      expect(batch).toStartWith("mtb_")
      expect(sampled(report)).toEqual([batch])
      expect(JSON.parse(report.body)).not.toHaveProperty("data") // a thin notification carries ids only
      const r = await deliver(report)
      expect(r).toMatchObject({ status: 200, body: { received: true, event_id: report.event.id, outcome: "applied", flagged_rows: 2, unattributed_errors: 0 } })

      const rows = await stateOf([ok!, ...dropped])
      expect(rows[ok!]!.stripe_state).toBe("reported")
      for (const id of dropped) {
        expect(rows[id]!.stripe_state).toBe("flagged")
        expect(rows[id]!.stripe_error).toContain("meter_event_customer_not_found")
        expect(rows[id]!.stripe_error).toContain(report.event.id)
      }

      const after = await reconciliation(period)
      expect(lineOf(after, gone.userId)).toMatchObject({ billable_micro_usd: 500, reported_micro_usd: 0, flagged_rows: 2, flagged_micro_usd: 500, match: false })
      expect(lineOf(after, good.userId)).toMatchObject({ reported_micro_usd: 500, match: true })
      expect(after.match).toBe(false)
      const warned = JSON.parse(await waitForLog(h.logs, (l) => l.includes("usage row flagged for the operator") && l.includes(dropped[1]!)))
      expect(warned).toMatchObject({ level: "warn", usage_id: dropped[1], user_id: gone.userId, micro_usd: 200 })

      // A redelivery is answered from our record: no second fetch, nothing moves.
      const fetches = eventFetches()
      expect(await deliver(report)).toMatchObject({ status: 200, body: { outcome: "duplicate" } })
      expect(eventFetches()).toBe(fetches)
    })

    test("the rows of a batch Stripe accepted whose reporter died before marking them (still pending) are all flagged by the report, and never sent again", async () => {
      const gone = await payer(false)
      const at = Date.now() - 5_000
      const ids = await insertUsage(db, [{ ...gone, price: 70, createdAt: at }, { ...gone, price: 30, createdAt: at + 1 }])
      // The reporter leased the rows, wrote their batch, and Stripe took its event; it died before marking the rows reported.
      const batchId = newId("mtb")
      const batch = await h.runtime.runPromise(
        Effect.gen(function* () {
          const store = yield* Store
          yield* store.outbox.lease({ owner: "rep_dead", now: Date.now(), leaseMs: 1, limit: 100 })
          return yield* store.outbox.openBatch({ id: batchId, userId: gone.userId, from: at, to: at + 2 })
        }),
      )
      expect(batch).toMatchObject({ rows: 2, microUsd: 100 })
      const sent = await fetch(`${fake.url}/v1/billing/meter_events`, {
        method: "POST",
        headers: { authorization: `Bearer ${fake.secretKey}`, "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ event_name: "tdk_api_call", identifier: batchId, timestamp: String(Math.floor(at / 1000)), "payload[stripe_customer_id]": gone.customerId, "payload[value]": "100" }),
      })
      expect(sent.status).toBe(200)
      const report = fake.meterErrorReport()!
      expect(sampled(report)).toEqual([batchId])
      expect(await deliver(report)).toMatchObject({ status: 200, body: { outcome: "applied", flagged_rows: 2 } })
      const states = await stateOf(ids)
      for (const id of ids) expect(states[id]).toMatchObject({ stripe_state: "flagged", stripe_batch_id: batchId, stripe_error: expect.stringContaining(report.event.id) })
      // Flagged rows are the operator's: once the dead reporter's lease lapses, nothing is resent.
      await Bun.sleep(5)
      const events = fake.meterEvents.length
      expect(await h.runtime.runPromise(drainOutbox(fastReporter))).toMatchObject({ events: 0, reported: 0 })
      expect(fake.meterEvents).toHaveLength(events)
    })

    test("a row reported under its own id before meter batches (no batch written on it) is still flagged by a report naming that id", async () => {
      const gone = await payer(false)
      const at = Date.now() - 5_000
      const [old, other] = await insertUsage(db, [{ ...gone, price: 55, createdAt: at, stripeState: "reported" }, { ...gone, price: 45, createdAt: at, stripeState: "reported" }])
      const report = fake.meterErrorReport([{ identifier: old!, code: "meter_event_customer_not_found", message: `Customer ${gone.customerId} not found.`, at: Date.now() }])!
      expect(await deliver(report)).toMatchObject({ status: 200, body: { outcome: "applied", flagged_rows: 1, unattributed_errors: 0 } })
      expect(await stateOf([old!, other!])).toMatchObject({ [old!]: { stripe_state: "flagged", stripe_batch_id: null }, [other!]: { stripe_state: "reported" } })
    })

    test("errors beyond Stripe's samples name no event: they are logged at error level and the reconciliation lists them; the sampled batches are flagged whole", async () => {
      const gone = await payer(false)
      const at = quietHour()
      // Three events of two rows each: calls a minute and a second apart cannot share one.
      const ids = await insertUsage(db, [0, 1, 2].flatMap((i) => [0, 1].map((j) => ({ ...gone, price: 100 + 10 * i + j, createdAt: at + i * 61_000 + j }))))
      expect(await h.runtime.runPromise(drainOutbox(fastReporter))).toMatchObject({ events: 3, reported: 6 })
      const batches = [await batchOf(ids.slice(0, 2)), await batchOf(ids.slice(2, 4)), await batchOf(ids.slice(4, 6))]
      expect(new Set(batches).size).toBe(3)
      const report = fake.meterErrorReport()! // three errors, two samples
      expect(sampled(report)).toEqual(batches.slice(0, 2))
      expect(await deliver(report)).toMatchObject({ status: 200, body: { outcome: "applied", flagged_rows: 4, unattributed_errors: 1 } })
      const states = await stateOf(ids)
      expect(ids.map((id) => states[id]!.stripe_state)).toEqual(["flagged", "flagged", "flagged", "flagged", "reported", "reported"])

      const line = JSON.parse(await waitForLog(h.logs, (l) => l.includes(report.event.id) && l.includes("name no usage row")))
      expect(line).toMatchObject({ level: "error", event_id: report.event.id, type: "v1.billing.meter.error_report_triggered", errors: 3, flagged: 4, unattributed: 1 })
      // The report's window is when Stripe checked the events: now.
      const rec = await reconciliation(periodOf(Date.now()))
      expect(rec.unattributed_meter_errors).toContainEqual(expect.objectContaining({ event_id: report.event.id, meter_id: meterId, errors: 3, unattributed: 1, summary: expect.stringContaining("meter_event_customer_not_found x3") }))
      expect(rec.match).toBe(false)
      expect(lineOf(await reconciliation(periodOf(at)), gone.userId)).toMatchObject({ reported_micro_usd: 120 + 121, flagged_rows: 4, flagged_micro_usd: 100 + 101 + 110 + 111, match: false })
      // A month the report cannot concern does not list it.
      expect((await reconciliation("2020-01")).unattributed_meter_errors).toEqual([])
    })

    test("a report with counts only (no samples) is recorded and shown; a no_meter_found report flags the rows it names", async () => {
      const counted = fake.emitThinEvent("v1.billing.meter.error_report_triggered", {
        developer_message_summary: "There are 4 invalid events",
        reason: { error_count: 4, error_types: [{ code: "meter_event_invalid_value", error_count: 4, sample_errors: [] }] },
        validation_start: new Date(Date.now() - 10_000).toISOString(),
        validation_end: new Date().toISOString(),
      }, { id: meterId, type: "billing.meter", url: `/v1/billing/meters/${meterId}` })
      expect(await deliver(counted)).toMatchObject({ status: 200, body: { outcome: "applied", flagged_rows: 0, unattributed_errors: 4 } })
      expect((await reconciliation(periodOf(Date.now()))).unattributed_meter_errors).toContainEqual(expect.objectContaining({ event_id: counted.event.id, unattributed: 4 }))

      const p = await payer()
      const [id] = await insertUsage(db, [{ ...p, price: 9, createdAt: Date.now() - 1_000 }])
      await h.runtime.runPromise(drainOutbox(fastReporter))
      const noMeter = fake.emitThinEvent("v1.billing.meter.no_meter_found", {
        developer_message_summary: "There is 1 invalid event",
        reason: { error_count: 1, error_types: [{ code: "no_meter", error_count: 1, sample_errors: [{ error_message: "No active meter was found for event_name tdk_api_call.", request: { identifier: await batchOf([id!]) } }] }] },
        validation_start: new Date(Date.now() - 10_000).toISOString(),
        validation_end: new Date().toISOString(),
      })
      expect(await deliver(noMeter)).toMatchObject({ status: 200, body: { outcome: "applied", flagged_rows: 1, unattributed_errors: 0 } })
      expect((await stateOf([id!]))[id!]).toMatchObject({ stripe_state: "flagged", stripe_error: expect.stringContaining("no_meter") })
    })

    test("a report about another meter on the account is recorded and changes nothing", async () => {
      const p = await payer()
      const [id] = await insertUsage(db, [{ ...p, price: 9, createdAt: Date.now() - 1_000 }])
      await h.runtime.runPromise(drainOutbox(fastReporter))
      const other = fake.emitThinEvent("v1.billing.meter.error_report_triggered", {
        reason: { error_count: 1, error_types: [{ code: "meter_event_invalid_value", error_count: 1, sample_errors: [{ error_message: "x", request: { identifier: await batchOf([id!]) } }] }] },
        validation_start: new Date().toISOString(), validation_end: new Date().toISOString(),
      }, { id: "mtr_someone_else", type: "billing.meter", url: "/v1/billing/meters/mtr_someone_else" })
      expect(await deliver(other)).toMatchObject({ status: 200, body: { outcome: "foreign_meter" } })
      expect((await stateOf([id!]))[id!]).toMatchObject({ stripe_state: "reported" })
      expect(await deliver(other)).toMatchObject({ status: 200, body: { outcome: "duplicate" } })
    })

    test("a report Stripe serves in a shape we cannot read is acknowledged as malformed, recorded and logged", async () => {
      const odd = fake.emitThinEvent("v1.billing.meter.error_report_triggered", { reason: { error_count: "many", error_types: "x" } })
      expect(await deliver(odd)).toMatchObject({ status: 200, body: { outcome: "malformed" } })
      const line = JSON.parse(await waitForLog(h.logs, (l) => l.includes(odd.event.id) && l.includes("not applied")))
      expect(line).toMatchObject({ level: "error", event_id: odd.event.id, type: "v1.billing.meter.error_report_triggered" })
      expect(await deliver(odd)).toMatchObject({ status: 200, body: { outcome: "duplicate" } })
    })

    test("when Stripe cannot serve the event the delivery fails (502) and records nothing, so Stripe's redelivery applies it", async () => {
      const gone = await payer(false)
      const [id] = await insertUsage(db, [{ ...gone, price: 41, createdAt: Date.now() - 1_000 }])
      await h.runtime.runPromise(drainOutbox(fastReporter))
      const report = fake.meterErrorReport()!
      fake.failNext("500", 1, /^GET \/v2\/core\/events\//)
      expect(await deliver(report)).toMatchObject({ status: 502, body: { code: "billing_provider_error" } })
      expect((await stateOf([id!]))[id!]).toMatchObject({ stripe_state: "reported" })
      expect(await deliver(report)).toMatchObject({ status: 200, body: { outcome: "applied", flagged_rows: 1 } })
    })

    test("deliveries that are not genuine are 400 problems and change nothing; other thin event types are ignored", async () => {
      const gone = await payer(false)
      const [id] = await insertUsage(db, [{ ...gone, price: 41, createdAt: Date.now() - 1_000 }])
      await h.runtime.runPromise(drainOutbox(fastReporter))
      const report = fake.meterErrorReport()!
      const rejected = async (r: Awaited<ReturnType<typeof deliver>>, detail: RegExp) => {
        expect(r).toMatchObject({ status: 400, body: { code: "webhook_rejected" } })
        expect(r.body.detail).toMatch(detail)
      }
      await rejected(await deliver(report, { secret: WEBHOOK_SECRET }), /signature does not match/) // the snapshot endpoint's secret is not this destination's
      await rejected(await deliver(report, { timestampS: Math.floor(Date.now() / 1000) - 301 }), /tolerance/)
      await rejected(await deliver(report, { timestampS: Math.floor(Date.now() / 1000) + 10 * 86_400 }), /future/)
      await rejected(await readJson(await h.request("/v1/webhooks/stripe/thin", { method: "POST", body: report.body, headers: { "content-type": "application/json" } })), /header is missing/)
      const snapshot = JSON.stringify({ id: "evt_v1", object: "event", type: "invoice.paid", created: 1, data: { object: {} } })
      await rejected(await deliver({ body: snapshot, signature: (s, t) => stripeSignature(snapshot, s, t ?? Math.floor(Date.now() / 1000)) }), /not a Stripe thin event/)
      expect((await stateOf([id!]))[id!]).toMatchObject({ stripe_state: "reported" })

      const ping = fake.emitThinEvent("v2.core.event_destination.ping", {}, { id: "ed_1", type: "v2.core.event_destination", url: "/v2/core/event_destinations/ed_1" })
      expect(await deliver(ping)).toMatchObject({ status: 200, body: { outcome: "ignored" } })
      expect(await deliver(report)).toMatchObject({ status: 200, body: { outcome: "applied" } })
      const logs = h.logs.join("\n")
      expect(logs).not.toContain(THIN_SECRET)
      expect(logs).not.toContain(fake.secretKey)
    })
  })
}

describe("the thin-event endpoint without its signing secret", () => {
  let h: TestApp
  beforeAll(async () => {
    h = await makeTestApp("sqlite", { STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET })
  })
  afterAll(() => h.close())
  test("answers 503 webhook_not_configured, naming the setting, even with the snapshot endpoint's secret set", async () => {
    const body = JSON.stringify({ id: "evt_1", object: "v2.core.event", type: "v1.billing.meter.no_meter_found", created: new Date().toISOString() })
    const header = await new Stripe("sk_test_unused").webhooks.generateTestHeaderStringAsync({ payload: body, secret: WEBHOOK_SECRET })
    const r = await readJson(await h.request("/v1/webhooks/stripe/thin", { method: "POST", body, headers: { "content-type": "application/json", "stripe-signature": header } }))
    expect(r).toMatchObject({ status: 503, body: { code: "webhook_not_configured", detail: expect.stringContaining("STRIPE_THIN_WEBHOOK_SECRET") } })
  })
})
