// One contract for the Stripe outbox's leases and batches, run on every dialect.
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test"
import { sql } from "drizzle-orm"
import { Effect } from "effect"
import { newId } from "../../src/platform/ids"
import { makeRuntime, type AppRuntime } from "../../src/app/layers"
import { Store, type StoreShape } from "../../src/store/store"
import { testConfig } from "../support/app"
import { exec, insertKey, insertUsage, insertUser } from "../support/billing"
import { dialects, freshDatabase } from "../support/db"

const NOW = Date.now()
const LEASE = { now: NOW, leaseMs: 60_000, limit: 100 }

for (const dialect of dialects) {
  describe(`stripe outbox (${dialect})`, () => {
    let db: Awaited<ReturnType<typeof freshDatabase>>
    let runtime: AppRuntime
    const h = { get db() { return db.handle } }
    const run = <A, E>(f: (store: StoreShape) => Effect.Effect<A, E>) => runtime.runPromise(Effect.flatMap(Store, f))
    beforeAll(async () => {
      db = await freshDatabase(dialect)
      runtime = makeRuntime(testConfig(), { database: db.handle, sink: () => {} })
    })
    afterAll(async () => {
      await runtime.dispose()
      await db.close()
    })
    beforeEach(async () => {
      await exec(h.db, sql`delete from stripe_report_leases`)
      await exec(h.db, sql`update usage set stripe_state = 'reported' where stripe_state = 'pending'`)
    })

    const payer = async (customerId = `cus_${newId("usr")}`) => {
      const userId = await insertUser(h.db, { customerId })
      await insertUsage(h.db, [{ userId, keyId: await insertKey(h.db, userId), price: 5, createdAt: NOW - 1_000 }])
      return userId
    }

    test("a user leased by one reporter is not leased by another until the lease lapses; its holder may lease it again", async () => {
      const user = await payer()
      expect((await run((s) => s.outbox.lease({ ...LEASE, owner: "rep_a" }))).map((u) => u.userId)).toEqual([user])
      expect(await run((s) => s.outbox.lease({ ...LEASE, owner: "rep_b" }))).toEqual([])
      expect((await run((s) => s.outbox.lease({ ...LEASE, owner: "rep_a" }))).map((u) => u.userId)).toEqual([user])
      // Past the lease: another reporter takes the user over.
      expect((await run((s) => s.outbox.lease({ ...LEASE, now: NOW + 60_001, owner: "rep_b" }))).map((u) => u.userId)).toEqual([user])
      expect(await run((s) => s.outbox.lease({ ...LEASE, now: NOW + 60_002, owner: "rep_a" }))).toEqual([])
    })

    test("two reporters leasing at the same moment never both get one user (on Postgres, the two run on two connections)", async () => {
      const users = await Promise.all(Array.from({ length: 40 }, () => payer()))
      for (let round = 0; round < 20; round++) {
        await exec(h.db, sql`delete from stripe_report_leases`)
        const [a, b] = await Promise.all([run((s) => s.outbox.lease({ ...LEASE, owner: "rep_a" })), run((s) => s.outbox.lease({ ...LEASE, owner: "rep_b" }))])
        const both = a.map((u) => u.userId).filter((id) => b.some((u) => u.userId === id))
        expect({ round, both }).toEqual({ round, both: [] })
        expect(a.length + b.length).toBe(users.length)
      }
    })

    test("a released user is free at once, and the least recently served users come first", async () => {
      const first = await payer()
      const second = await payer()
      expect((await run((s) => s.outbox.lease({ ...LEASE, owner: "rep_a", limit: 1 }))).length).toBe(1)
      const served = (await run((s) => s.outbox.lease({ ...LEASE, owner: "rep_a", limit: 1 })))[0]!.userId
      await run((s) => s.outbox.release("rep_a", NOW))
      // The other user (never served) comes before the one just served.
      expect((await run((s) => s.outbox.lease({ ...LEASE, owner: "rep_b", limit: 1 }))).map((u) => u.userId)).toEqual([served === first ? second : first])
    })

    test("only users with pending rows are leased, with their Stripe customer", async () => {
      const user = await payer("cus_busy")
      await insertUser(h.db, { customerId: "cus_idle" })
      expect(await run((s) => s.outbox.lease({ ...LEASE, owner: "rep_a" }))).toEqual([{ userId: user, stripeCustomerId: "cus_busy" }])
    })
  })
}
