// Every billable row reaches Stripe exactly once, through kills at the worst
// moments. The real server (`tdk serve`, a child process) reports settled
// usage to the fake Stripe and is killed with SIGKILL twice:
//   1. while Stripe holds a meter event it accepted and the answer is on its
//      way (the batch is in Stripe, its rows are still pending here);
//   2. while a meter event's request is held before Stripe acted on it (the
//      batch is written on its rows, Stripe has not seen it).
// Started once more on the same data, it finishes. Then every row is in
// exactly one event Stripe holds, each event's value is its rows' sum, each
// batch Stripe already had was resent under its identifier and refused as a
// repeat, and the reconciliation matches every user to the micro-dollar.
// On SQLite, and on Postgres when TEST_POSTGRES_URL is set.
import { afterAll, describe, expect, test } from "bun:test"
import { sql } from "drizzle-orm"
import { Effect } from "effect"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { makeStripe } from "../../src/modules/billing/stripe-client"
import { closeDatabase, openDatabase, type DatabaseHandle } from "../../src/platform/db/database"
import { runMigrations } from "../../src/platform/db/migrations"
import { periodOf } from "../../src/platform/period"
import { testConfig, TEST_MASTER_KEYS } from "../support/app"
import { insertKey, insertUsage, insertUser, selectAll, usageStates } from "../support/billing"
import { dialects, freshDatabase } from "../support/db"
import { startFakeStripe } from "../support/fake-stripe/server"
import { startServer, stopAllServers, type ServerProcess } from "../support/server-process"

const CUSTOMERS = 3
const ROWS_PER_CUSTOMER = 400
const ADMIN_TOKEN = "reporter-crash-admin-token-0123456789"
const LEASE_MS = 2_000

const waitFor = async (what: string, condition: () => boolean | Promise<boolean>, timeoutMs: number) => {
  const deadline = Date.now() + timeoutMs
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`${what}: not reached in ${timeoutMs} ms`)
    await Bun.sleep(10)
  }
}

afterAll(() => stopAllServers())

for (const dialect of dialects) {
  describe(`usage reporter through kills (${dialect})`, () => {
    test("killed while Stripe's answer is on its way and while a written batch is on its way: every row in exactly one event, sums equal", async () => {
      const dataDir = mkdtempSync(join(tmpdir(), "tdk-reporter-crash-"))
      const fake = await startFakeStripe({ retryAfterSeconds: 0, stallMs: 120_000 })
      let handle: DatabaseHandle
      let databaseUrl: string
      let close: () => Promise<void>
      if (dialect === "sqlite") {
        const path = join(dataDir, "tdk.db")
        handle = openDatabase({ dialect: "sqlite", path })
        await runMigrations(handle)
        databaseUrl = `sqlite:${path}`
        close = () => closeDatabase(handle)
      } else {
        const db = await freshDatabase("postgres")
        ;({ handle, url: databaseUrl, close } = db)
      }
      let server: ServerProcess | undefined
      try {
        await Effect.runPromise(makeStripe(testConfig({ STRIPE_SECRET_KEY: fake.secretKey, STRIPE_API_BASE: fake.url })).call("meters.create", (s) =>
          s.billing.meters.create({ display_name: "t", event_name: "tdk_api_call", default_aggregation: { formula: "sum" } })))
        // The last half hour (within this month): about 30 one-minute batches per customer.
        const now = Date.now()
        const from = Math.max(Date.UTC(new Date(now).getUTCFullYear(), new Date(now).getUTCMonth(), 1), now - 30 * 60_000)
        for (let c = 0; c < CUSTOMERS; c++) {
          const customer = await Effect.runPromise(makeStripe(testConfig({ STRIPE_SECRET_KEY: fake.secretKey, STRIPE_API_BASE: fake.url })).createCustomer({ id: `usr_crash_${c}`, email: `c${c}@example.com` }))
          const userId = await insertUser(handle, { customerId: customer })
          const keyId = await insertKey(handle, userId)
          await insertUsage(handle, Array.from({ length: ROWS_PER_CUSTOMER }, (_, i) => ({ userId, keyId, price: 1 + ((c * 7_919 + i * 104_729) % 3_000_000), createdAt: from + Math.floor((i * (now - from - 1_000)) / ROWS_PER_CUSTOMER) })))
        }
        const env: Record<string, string> = {
          DATA_DIR: dataDir,
          DATABASE_URL: databaseUrl,
          ADMIN_TOKEN,
          LOG_LEVEL: "warn",
          WALLET_ENCRYPTION_KEYS: TEST_MASTER_KEYS,
          STRIPE_SECRET_KEY: fake.secretKey,
          STRIPE_API_BASE: fake.url,
          // Longer than any hold below: the process dies with the request open.
          STRIPE_TIMEOUT_MS: "120000",
          STRIPE_REPORT_LEASE_MS: String(LEASE_MS),
        }
        let starts = 0
        const start = () => startServer(env, join(dataDir, `server-${++starts}.log`), 60_000)
        const meterPosts = () => fake.counters.byRoute["POST ^\\/v1\\/billing\\/meter_events$"] ?? 0

        // 1. Stripe takes the first event and its answer never comes back.
        fake.failNext("hang_after", 1, /meter_events/)
        server = await start()
        await waitFor("the first event in Stripe", () => fake.meterEvents.length >= 1, 30_000)
        await server.kill("SIGKILL")
        const acceptedUnanswered = fake.meterEvents[0]!.identifier
        const pendingInBatch = await selectAll(handle, sql`select count(*) as n from usage where stripe_batch_id = ${acceptedUnanswered} and stripe_state = 'pending'`)
        expect(Number(pendingInBatch[0]!.n)).toBeGreaterThan(0)

        // 2. The next new event's request is held before Stripe acts on it.
        const faultsBefore = fake.counters.faults
        fake.failNext("stall", 1, /meter_events/, (p) => !fake.meterEvents.some((e) => e.identifier === p.identifier))
        server = await start()
        await waitFor("a held request", () => fake.counters.faults > faultsBefore, 30_000)
        await server.kill("SIGKILL")
        const held = new Set(fake.meterEvents.map((e) => e.identifier))
        const written = await selectAll(handle, sql`select distinct stripe_batch_id as id from usage where stripe_state = 'pending' and stripe_batch_id is not null`)
        const writtenNotInStripe = written.map((r) => r.id as string).filter((id) => !held.has(id))
        expect(writtenNotInStripe.length).toBeGreaterThan(0)
        const writtenSums = new Map<string, string>()
        for (const id of writtenNotInStripe) writtenSums.set(id, String((await selectAll(handle, sql`select sum(developer_price_micro_usd) as s from usage where stripe_batch_id = ${id}`))[0]!.s))

        // 3. Once more on the same data: it finishes.
        server = await start()
        await waitFor("every row reported", async () => (await usageStates(handle)).pending === undefined, 60_000)
        expect(await usageStates(handle)).toEqual({ reported: CUSTOMERS * ROWS_PER_CUSTOMER })

        const batches = await selectAll(handle, sql`select stripe_batch_id as id, sum(developer_price_micro_usd) as value, min(created_at) as first_at from usage group by stripe_batch_id`)
        const events = new Map(fake.meterEvents.map((e) => [e.identifier, e]))
        expect(events.size).toBe(fake.meterEvents.length)
        expect(new Set(events.keys())).toEqual(new Set(batches.map((b) => b.id as string)))
        for (const b of batches) expect({ value: events.get(b.id)!.payload.value, timestamp: events.get(b.id)!.timestamp }).toEqual({ value: String(b.value), timestamp: Math.floor(Number(b.first_at) / 1000) })
        // The batches written before the second kill went out as written.
        for (const [id, sum] of writtenSums) expect(events.get(id)?.payload.value).toBe(sum)
        // The event Stripe took without answering was sent again, under its identifier, and refused as a repeat.
        expect(fake.counters.duplicateIdentifiers).toBeGreaterThanOrEqual(1)
        expect(meterPosts()).toBeGreaterThan(fake.meterEvents.length)
        const ledger = BigInt(String((await selectAll(handle, sql`select sum(developer_price_micro_usd) as s from usage`))[0]!.s))
        expect(fake.meterEvents.reduce((sum, e) => sum + BigInt(e.payload.value!), 0n)).toBe(ledger)

        const r = await fetch(`${server.baseUrl}/admin/billing/reconciliation?period=${periodOf(now)}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })
        const report = (await r.json()) as any
        expect(r.status).toBe(200)
        expect(report.users).toHaveLength(CUSTOMERS)
        for (const u of report.users) expect(u).toMatchObject({ match: true, unreported_rows: 0, flagged_rows: 0 })
        await server.kill("SIGTERM")
        rmSync(dataDir, { recursive: true, force: true })
      } finally {
        await stopAllServers()
        await close()
        await fake.close()
      }
    }, 180_000)
  })
}
