// The per-call bookkeeping on every dialect: a call is reserved as its own
// usage row together with its op, claims its payment (price, signature,
// intent) together with its spend, and is settled or released; the period
// counters always equal the rows. The SQLite side runs these as hand-written
// cached statements, so the results must match Postgres's.
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { sql } from "drizzle-orm"
import { Effect } from "effect"
import { Database } from "../../src/platform/db/database"
import type { Payment, Reservation } from "../../src/store/usage/repo"
import { Store } from "../../src/store/store"
import { makeTestApp, type TestApp } from "../support/app"
import { exec } from "../support/billing"
import { dialects } from "../support/db"

const T0 = Date.UTC(2026, 0, 15)
const PERIOD = "2026-01"

for (const dialect of dialects) {
  describe(`usage periods and usage rows (${dialect})`, () => {
    let h: TestApp
    beforeAll(async () => {
      h = await makeTestApp(dialect)
    })
    afterAll(() => h.close())
    const run = <A, E>(f: (s: typeof Store.Service) => Effect.Effect<A, E>) => h.runtime.runPromise(Effect.flatMap(Store, f))

    const reservation = (id: string, keyId: string, over: Partial<Reservation> = {}): Reservation => ({
      id,
      keyId,
      userId: "usr_u",
      agentId: "agent",
      environment: "live",
      billable: true,
      requestId: `req_${id}`,
      idempotencyKey: null,
      createdAt: T0,
      ...over,
    })
    const payment = (n: string, price = 1100, over: Partial<Payment> = {}): Payment => ({
      agentName: "Agent",
      agentPriceMicroUsd: price - 100,
      markupMicroUsd: 100,
      developerPriceMicroUsd: price,
      priceToken: "USDC",
      priceBase: price - 100,
      solRateMicroUsd: null,
      walletId: "wal_u",
      paymentIntentId: `pi_${n}`,
      txSignature: `sig_${n}`,
      ...over,
    })

    test("reserve counts up to the quota and no further, writing one reserved row per counted call; no quota counts freely; a zero quota refuses", async () => {
      const got = []
      for (let i = 0; i < 4; i++) got.push(await run((s) => s.usage.reserve(reservation(`use_q${i}`, "key_q"), PERIOD, 3)))
      expect(got).toEqual([1, 2, 3, undefined])
      expect(await run((s) => s.usage.findById("use_q2"))).toMatchObject({ state: "reserved", keyId: "key_q", developerPriceMicroUsd: 0, txSignature: null })
      // The refused call left no row.
      expect(await run((s) => s.usage.findById("use_q3"))).toBeUndefined()
      expect(await run((s) => s.usage.reserve(reservation("use_f1", "key_free"), PERIOD, null))).toBe(1)
      expect(await run((s) => s.usage.reserve(reservation("use_f2", "key_free"), PERIOD, null))).toBe(2)
      expect(await run((s) => s.usage.reserve(reservation("use_z", "key_zero"), PERIOD, 0))).toBeUndefined()
      expect(await run((s) => s.periods.get("key_zero", PERIOD))).toEqual({ ops: 0, spendMicroUsd: 0 })
      // Another period is another counter.
      expect(await run((s) => s.usage.reserve(reservation("use_q4", "key_q", { createdAt: Date.UTC(2026, 1, 1) }), "2026-02", 3))).toBe(1)
    })

    test("claim writes the payment and adds the spend within the cap; past the cap the row is removed and its op given back", async () => {
      for (const id of ["use_c1", "use_c2", "use_c3"]) await run((s) => s.usage.reserve(reservation(id, "key_c"), PERIOD, null))
      expect(await run((s) => s.usage.claim("use_c1", PERIOD, payment("c1", 600), 1000))).toEqual({ kind: "claimed" })
      expect(await run((s) => s.usage.findById("use_c1"))).toMatchObject({ state: "pending", developerPriceMicroUsd: 600, txSignature: "sig_c1", paymentIntentId: "pi_c1", walletId: "wal_u", agentName: "Agent" })
      expect(await run((s) => s.usage.claim("use_c2", PERIOD, payment("c2", 500), 1000))).toEqual({ kind: "over_cap", spentMicroUsd: 600 })
      expect(await run((s) => s.usage.findById("use_c2"))).toBeUndefined()
      expect(await run((s) => s.periods.get("key_c", PERIOD))).toEqual({ ops: 2, spendMicroUsd: 600 })
      // A row that is no longer reserved cannot be claimed (nor a missing one).
      expect(await run((s) => s.usage.claim("use_c1", PERIOD, payment("c1b"), null))).toEqual({ kind: "gone" })
      expect(await run((s) => s.usage.claim("use_none", PERIOD, payment("none"), null))).toEqual({ kind: "gone" })
      expect(await run((s) => s.usage.claim("use_c3", PERIOD, payment("c3", 400), null))).toEqual({ kind: "claimed" })
      expect(await run((s) => s.periods.get("key_c", PERIOD))).toEqual({ ops: 2, spendMicroUsd: 1000 })
    })

    test("a signature or payment intent already claimed by another row is refused as a duplicate, and nothing of the claim sticks", async () => {
      for (const id of ["use_d1", "use_d2"]) await run((s) => s.usage.reserve(reservation(id, "key_d"), PERIOD, null))
      expect(await run((s) => s.usage.claim("use_d1", PERIOD, payment("d1"), null))).toEqual({ kind: "claimed" })
      expect(await run((s) => s.usage.claim("use_d2", PERIOD, payment("d2", 1100, { txSignature: "sig_d1" }), null))).toEqual({ kind: "duplicate" })
      expect(await run((s) => s.usage.claim("use_d2", PERIOD, payment("d2", 1100, { paymentIntentId: "pi_d1" }), null))).toEqual({ kind: "duplicate" })
      expect(await run((s) => s.usage.findById("use_d2"))).toMatchObject({ state: "reserved", txSignature: null, paymentIntentId: null, developerPriceMicroUsd: 0 })
      expect(await run((s) => s.periods.get("key_d", PERIOD))).toEqual({ ops: 2, spendMicroUsd: 1100 })
      expect(await run((s) => s.usage.claim("use_d2", PERIOD, payment("d2"), null))).toEqual({ kind: "claimed" })
    })

    test("settle reads the billing decision written at reserve: billable rows wait for Stripe, the others are skipped", async () => {
      await run((s) => s.usage.reserve(reservation("use_b1", "key_b"), PERIOD, null))
      await run((s) => s.usage.reserve(reservation("use_b2", "key_b", { billable: false }), PERIOD, null))
      for (const id of ["use_b1", "use_b2"]) {
        await run((s) => s.usage.claim(id, PERIOD, payment(id.slice(4)), null))
        expect(await run((s) => s.usage.settle(id, { txSignature: `sig_${id.slice(4)}`, receiptId: null, settledAt: T0 + 1 }))).toBe(true)
      }
      expect(await run((s) => s.usage.findById("use_b1"))).toMatchObject({ billable: true, stripeState: "pending" })
      expect(await run((s) => s.usage.findById("use_b2"))).toMatchObject({ billable: false, stripeState: "skipped" })
    })

    test("settling counts the call once in its key's day counter for the agent; totals by agent read the counters, not the rows", async () => {
      const jan31 = Date.parse("2026-01-31T23:59:59.999Z")
      const feb1 = Date.parse("2026-02-01T00:00:00.000Z")
      const calls = [
        { id: "use_t1", agentId: "agent_a", createdAt: jan31, price: 1000 },
        { id: "use_t2", agentId: "agent_a", createdAt: jan31 - 3_600_000, price: 2000 },
        { id: "use_t3", agentId: "agent_b", createdAt: jan31, price: 500 },
        { id: "use_t4", agentId: "agent_a", createdAt: feb1, price: 7000 },
        { id: "use_t5", agentId: "agent_b", createdAt: jan31, price: 900 },
      ]
      for (const c of calls) {
        const period = c.createdAt === feb1 ? "2026-02" : "2026-01"
        await run((s) => s.usage.reserve(reservation(c.id, "key_t", { agentId: c.agentId, createdAt: c.createdAt }), period, null))
        await run((s) => s.usage.claim(c.id, period, payment(c.id.slice(4), c.price, { agentName: `Agent ${c.agentId}` }), null))
      }
      for (const id of ["use_t1", "use_t2", "use_t3", "use_t4"]) expect(await run((s) => s.usage.settle(id, { txSignature: `sig_${id.slice(4)}`, receiptId: null, settledAt: feb1 }))).toBe(true)
      // Settled once only; a released call never counts.
      expect(await run((s) => s.usage.settle("use_t1", { txSignature: "sig_t1", receiptId: null, settledAt: feb1 }))).toBe(false)
      await run((s) => s.usage.release("use_t5", "AgentFailed"))
      const byAgent = (period: string) => run((s) => s.usage.totalsByAgent("key_t", period)).then((r) => [...r].sort((a, b) => a.agentId.localeCompare(b.agentId)))
      expect(await byAgent("2026-01")).toEqual([
        { agentId: "agent_a", agentName: "Agent agent_a", ops: 2, spendMicroUsd: 3000 },
        { agentId: "agent_b", agentName: "Agent agent_b", ops: 1, spendMicroUsd: 500 },
      ])
      expect(await byAgent("2026-02")).toEqual([{ agentId: "agent_a", agentName: "Agent agent_a", ops: 1, spendMicroUsd: 7000 }])
      // The totals are the counters, not a scan of the rows: a counter moved by hand shows.
      await exec(await h.runtime.runPromise(Database), sql`update usage_agent_days set calls = calls + 40 where key_id = 'key_t' and agent_id = 'agent_b'`)
      expect((await byAgent("2026-01")).find((a) => a.agentId === "agent_b")?.ops).toBe(41)
    })

    test("release removes a reserved row, fails a claimed one, once, and gives back exactly its op and spend; settle moves pending/unknown once; final rows stay", async () => {
      for (const id of ["use_r1", "use_r2", "use_r3"]) await run((s) => s.usage.reserve(reservation(id, "key_r"), PERIOD, null))
      await run((s) => s.usage.claim("use_r2", PERIOD, payment("r2", 700), null))
      await run((s) => s.usage.claim("use_r3", PERIOD, payment("r3", 900), null))
      expect(await run((s) => s.periods.get("key_r", PERIOD))).toEqual({ ops: 3, spendMicroUsd: 1600 })
      expect(await run((s) => s.usage.release("use_r1", "Interrupted"))).toBe(true)
      // Never paid: the reserved row goes with its op.
      expect(await run((s) => s.usage.findById("use_r1"))).toBeUndefined()
      expect(await run((s) => s.periods.get("key_r", PERIOD))).toEqual({ ops: 2, spendMicroUsd: 1600 })
      await run((s) => s.usage.markUnknown("use_r2", { txSignature: "sig_r2", error: "Timeout" }))
      expect(await run((s) => s.usage.release("use_r2", "AgentRefused"))).toBe(true)
      expect(await run((s) => s.periods.get("key_r", PERIOD))).toEqual({ ops: 1, spendMicroUsd: 900 })
      expect(await run((s) => s.usage.findById("use_r2"))).toMatchObject({ state: "failed", error: "AgentRefused", settledAt: null })
      // Final rows: nothing is given back twice.
      expect(await run((s) => s.usage.release("use_r2", "again"))).toBe(false)
      const settled = { txSignature: "sig_r3", receiptId: "rcp_r3", settledAt: T0 + 1000 }
      expect(await run((s) => s.usage.settle("use_r3", settled))).toBe(true)
      expect(await run((s) => s.usage.settle("use_r3", { ...settled, receiptId: null }))).toBe(false)
      expect(await run((s) => s.usage.release("use_r3", "Late"))).toBe(false)
      expect(await run((s) => s.usage.findById("use_r3"))).toMatchObject({ state: "settled", receiptId: "rcp_r3", error: null, billable: true, stripeState: "pending" })
      expect(await run((s) => s.periods.get("key_r", PERIOD))).toEqual({ ops: 1, spendMicroUsd: 900 })
      expect(await run((s) => s.usage.release("use_missing", "x"))).toBe(false)
    })

    test("a reservation made in one month is given back to that month", async () => {
      const feb = Date.UTC(2026, 1, 28, 23, 59, 59, 999)
      await run((s) => s.usage.reserve(reservation("use_m1", "key_m", { createdAt: feb }), "2026-02", null))
      expect(await run((s) => s.usage.release("use_m1", "x"))).toBe(true)
      expect(await run((s) => s.periods.get("key_m", "2026-02"))).toEqual({ ops: 0, spendMicroUsd: 0 })
    })

    test("unresolved pages through open rows in id order: unknown at any age, reserved and pending only when stale", async () => {
      for (const id of ["use_u1", "use_u2", "use_u3", "use_u4"]) await run((s) => s.usage.reserve(reservation(id, "key_u", { createdAt: id === "use_u4" ? T0 + 10_000 : T0 }), PERIOD, null))
      await run((s) => s.usage.claim("use_u2", PERIOD, payment("u2"), null))
      await run((s) => s.usage.claim("use_u3", PERIOD, payment("u3"), null))
      await run((s) => s.usage.markUnknown("use_u3", { txSignature: "sig_u3", error: "Timeout" }))
      const ids = (rows: ReadonlyArray<{ id: string }>) => rows.map((r) => r.id).filter((id) => id.startsWith("use_u"))
      expect(ids(await run((s) => s.usage.unresolved(T0 + 1, 100)))).toEqual(["use_u1", "use_u2", "use_u3"])
      expect(ids(await run((s) => s.usage.unresolved(T0, 100)))).toEqual(["use_u3"])
      expect(ids(await run((s) => s.usage.unresolved(T0 + 20_000, 100, "use_u2")))).toEqual(["use_u3", "use_u4"])
    })

    test("history shows a call from its payment on: a reserved row is not listed", async () => {
      await run((s) => s.usage.reserve(reservation("use_h1", "key_h"), PERIOD, null))
      expect(await run((s) => s.usage.history({ keyId: "key_h", limit: 10 }))).toEqual([])
      await run((s) => s.usage.claim("use_h1", PERIOD, payment("h1"), null))
      expect((await run((s) => s.usage.history({ keyId: "key_h", limit: 10 }))).map((r) => [r.id, r.state])).toEqual([["use_h1", "pending"]])
    })

    test("a claim racing a release of the same row never deadlocks nor fails: the release always wins or follows, and counters equal rows", async () => {
      let claimed = 0
      for (let i = 0; i < 200; i++) {
        const id = `use_race${i}`
        await run((s) => s.usage.reserve(reservation(id, "key_race"), PERIOD, null))
        // A client gone mid-claim: the release runs on another connection while the claim is in flight.
        const [claim, release] = await Promise.all([run((s) => s.usage.claim(id, PERIOD, payment(`race${i}`), null)), run((s) => s.usage.release(id, "Interrupted"))])
        expect({ i, release }).toEqual({ i, release: true })
        if (claim.kind === "claimed") claimed++
        else expect({ i, claim }).toEqual({ i, claim: { kind: "gone" } })
      }
      const rows = await run((s) => s.usage.history({ keyId: "key_race", limit: 1000 }))
      // Claimed first, then released: failed rows that keep their claim; released first: no row.
      expect(rows.length).toBe(claimed)
      expect(rows.every((r) => r.state === "failed")).toBe(true)
      expect(await run((s) => s.periods.get("key_race", PERIOD))).toEqual({ ops: 0, spendMicroUsd: 0 })
    })

    test("a missing wallet reads as undefined", async () => {
      expect(await run((s) => s.wallets.findById("wal_missing"))).toBeUndefined()
    })
  })
}
