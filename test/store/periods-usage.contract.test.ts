// The per-call bookkeeping on every dialect: a call is recorded with its own
// payment (price, signature, intent) as one pending usage row, in one commit
// with its op (only while the month's ops are below the quota) and its spend
// (only while the spend stays within the cap); a call refused as over_quota,
// over_cap or duplicate writes nothing at all. A recorded call is then settled
// or released (its op and spend given back); a legacy 'reserved' row, written
// by older releases before its payment, is still released by removing it. The
// period counters always equal the rows, also under concurrent calls. The
// SQLite side runs these as hand-written cached statements, so the results
// must match Postgres's.
import { describe, expect, test } from "bun:test"
import { sql } from "drizzle-orm"
import type { NewCall, Payment, RecordResult } from "../../src/store/usage/repo"
import { exec, selectAll } from "../support/billing"
import { dialects } from "../support/db"
import { storeSuite } from "../support/store-suite"

const T0 = Date.UTC(2026, 0, 15)
const PERIOD = "2026-01"
const NO_LIMITS = { quota: null, capMicroUsd: null } as const

for (const dialect of dialects) {
  describe(`usage periods and usage rows (${dialect})`, () => {
    const suite = storeSuite(dialect)
    const run = suite.run

    const call = (id: string, keyId: string, over: Partial<NewCall> = {}): NewCall => ({
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
    /** Records a call with its payment in `period` under `limits` (none by default). */
    const record = (c: NewCall, p: Payment, limits: { quota: number | null; capMicroUsd: number | null } = NO_LIMITS, period = PERIOD) =>
      run((s) => s.usage.record(c, period, p, limits))
    const counters = (keyId: string, period = PERIOD) => run((s) => s.periods.get(keyId, period))
    /** What the counters must be: the key's counted rows (reserved, pending, unknown, settled) of the month, from the rows themselves. */
    const fromRows = async (keyId: string, period = PERIOD) => {
      const [y, m] = period.split("-").map(Number) as [number, number]
      const from = Date.UTC(y, m - 1, 1)
      const to = Date.UTC(y, m, 1)
      const [r] = await selectAll(
        suite.db,
        sql`select count(*) as ops, coalesce(sum(developer_price_micro_usd), 0) as spend from usage
            where key_id = ${keyId} and state in ('reserved', 'pending', 'unknown', 'settled') and created_at >= ${from} and created_at < ${to}`,
      )
      return { ops: Number(r?.ops ?? 0), spendMicroUsd: Number(r?.spend ?? 0) }
    }
    const expectCountersEqualRows = async (keyId: string, period = PERIOD) => expect(await counters(keyId, period)).toEqual(await fromRows(keyId, period))
    /** A row as releases before `record` wrote it: reserved, unpaid (price 0, no signature), its op counted. */
    const insertLegacyReserved = async (id: string, keyId: string, createdAt = T0, period = PERIOD) => {
      await exec(
        suite.db,
        sql`insert into usage (id, key_id, user_id, agent_id, agent_name, agent_price_micro_usd, markup_micro_usd, developer_price_micro_usd, wallet_id, request_id, environment, billable, state, created_at)
            values (${id}, ${keyId}, 'usr_u', 'agent', '', 0, 0, 0, '', ${`req_${id}`}, 'live', ${dialect === "postgres" ? sql`true` : sql`1`}, 'reserved', ${createdAt})`,
      )
      await exec(
        suite.db,
        sql`insert into usage_periods (key_id, period, ops, spend_micro_usd) values (${keyId}, ${period}, 1, 0)
            on conflict (key_id, period) do update set ops = usage_periods.ops + 1`,
      )
    }

    test("record counts up to the quota and no further, writing one pending row per counted call; over the quota nothing is written; no quota counts freely; a zero quota refuses", async () => {
      const got: Array<RecordResult> = []
      for (let i = 0; i < 3; i++) got.push(await record(call(`use_q${i}`, "key_q"), payment(`q${i}`, 100), { quota: 3, capMicroUsd: null }))
      // Each carries the key's calls this month, itself counted.
      expect(got).toEqual([{ kind: "recorded", ops: 1 }, { kind: "recorded", ops: 2 }, { kind: "recorded", ops: 3 }])
      expect(await counters("key_q")).toEqual({ ops: 3, spendMicroUsd: 300 })
      expect(await run((s) => s.usage.findById("use_q2"))).toMatchObject({ state: "pending", keyId: "key_q", developerPriceMicroUsd: 100, txSignature: "sig_q2", paymentIntentId: "pi_q2" })
      // Over the quota: no row, and neither the op nor the spend moved.
      expect(await record(call("use_q3", "key_q"), payment("q3", 100), { quota: 3, capMicroUsd: null })).toEqual({ kind: "over_quota" })
      expect(await run((s) => s.usage.findById("use_q3"))).toBeUndefined()
      expect(await counters("key_q")).toEqual({ ops: 3, spendMicroUsd: 300 })
      // Its signature and intent were not taken either: the same payment records once there is room.
      expect(await record(call("use_q3", "key_q"), payment("q3", 100), { quota: 4, capMicroUsd: null })).toEqual({ kind: "recorded", ops: 4 })
      await expectCountersEqualRows("key_q")
      // No quota counts freely.
      for (let i = 1; i <= 5; i++) expect(await record(call(`use_f${i}`, "key_free"), payment(`f${i}`, 10), NO_LIMITS)).toEqual({ kind: "recorded", ops: i })
      expect(await counters("key_free")).toEqual({ ops: 5, spendMicroUsd: 50 })
      // A zero (or negative) quota refuses the first call of the month, writing nothing.
      expect(await record(call("use_z", "key_zero"), payment("z"), { quota: 0, capMicroUsd: null })).toEqual({ kind: "over_quota" })
      expect(await record(call("use_z", "key_zero"), payment("z"), { quota: -1, capMicroUsd: null })).toEqual({ kind: "over_quota" })
      expect(await run((s) => s.usage.findById("use_z"))).toBeUndefined()
      expect(await counters("key_zero")).toEqual({ ops: 0, spendMicroUsd: 0 })
      // Another period is another counter.
      expect(await record(call("use_q5", "key_q", { createdAt: Date.UTC(2026, 1, 1) }), payment("q5", 100), { quota: 3, capMicroUsd: null }, "2026-02")).toEqual({ kind: "recorded", ops: 1 })
      expect(await counters("key_q", "2026-02")).toEqual({ ops: 1, spendMicroUsd: 100 })
      expect(await counters("key_q")).toEqual({ ops: 4, spendMicroUsd: 400 })
    })

    test("record adds the spend within the cap; a call that would pass the cap is over_cap with the month's spend and writes nothing; a price above the cap alone is refused", async () => {
      const cap = (capMicroUsd: number, quota: number | null = null) => ({ quota, capMicroUsd })
      expect(await record(call("use_c1", "key_c"), payment("c1", 600), cap(1000))).toMatchObject({ kind: "recorded" })
      expect(await run((s) => s.usage.findById("use_c1"))).toMatchObject({
        state: "pending", billable: true, environment: "live", developerPriceMicroUsd: 600, agentPriceMicroUsd: 500, markupMicroUsd: 100, priceToken: "USDC", priceBase: 500,
        txSignature: "sig_c1", paymentIntentId: "pi_c1", walletId: "wal_u", agentName: "Agent", requestId: "req_use_c1", createdAt: T0, settledAt: null, error: null,
      })
      expect(await counters("key_c")).toEqual({ ops: 1, spendMicroUsd: 600 })
      // 600 + 500 > 1000: refused with the spend so far; no row, no op, no spend.
      expect(await record(call("use_c2", "key_c"), payment("c2", 500), cap(1000))).toEqual({ kind: "over_cap", spentMicroUsd: 600 })
      expect(await run((s) => s.usage.findById("use_c2"))).toBeUndefined()
      expect(await counters("key_c")).toEqual({ ops: 1, spendMicroUsd: 600 })
      // Up to the cap exactly is within it.
      expect(await record(call("use_c3", "key_c"), payment("c3", 400), cap(1000))).toMatchObject({ kind: "recorded" })
      expect(await counters("key_c")).toEqual({ ops: 2, spendMicroUsd: 1000 })
      // A price above the cap on its own, with spend already there: refused with the current spend.
      expect(await record(call("use_c4", "key_c"), payment("c4", 1500), cap(1000))).toEqual({ kind: "over_cap", spentMicroUsd: 1000 })
      // No cap: spends freely.
      expect(await record(call("use_c5", "key_c"), payment("c5", 5000), NO_LIMITS)).toMatchObject({ kind: "recorded" })
      expect(await counters("key_c")).toEqual({ ops: 3, spendMicroUsd: 6000 })
      await expectCountersEqualRows("key_c")
      // A price above the cap on the month's first call: refused, spent 0, nothing written.
      expect(await record(call("use_c6", "key_c_big"), payment("c6", 1001), cap(1000))).toEqual({ kind: "over_cap", spentMicroUsd: 0 })
      expect(await run((s) => s.usage.findById("use_c6"))).toBeUndefined()
      expect(await counters("key_c_big")).toEqual({ ops: 0, spendMicroUsd: 0 })
      // A refusal over the cap takes no op: with a quota of 2, a cheaper call still fits after it.
      expect(await record(call("use_c7", "key_cq"), payment("c7", 800), cap(1000, 2))).toMatchObject({ kind: "recorded" })
      expect(await record(call("use_c8", "key_cq"), payment("c8", 300), cap(1000, 2))).toEqual({ kind: "over_cap", spentMicroUsd: 800 })
      expect(await record(call("use_c8", "key_cq"), payment("c8", 200), cap(1000, 2))).toMatchObject({ kind: "recorded" })
      // Quota used up: over_quota, even for a price within the cap.
      expect(await record(call("use_c9", "key_cq"), payment("c9", 0), cap(1000, 2))).toEqual({ kind: "over_quota" })
      expect(await counters("key_cq")).toEqual({ ops: 2, spendMicroUsd: 1000 })
      await expectCountersEqualRows("key_cq")
    })

    test("a signature or payment intent already recorded by another row is refused as a duplicate, and nothing of the record sticks", async () => {
      const limits = { quota: 2, capMicroUsd: 2200 }
      expect(await record(call("use_d1", "key_d"), payment("d1"), limits)).toMatchObject({ kind: "recorded" })
      expect(await record(call("use_d2", "key_d"), payment("d2", 1100, { txSignature: "sig_d1" }), limits)).toEqual({ kind: "duplicate" })
      expect(await record(call("use_d2", "key_d"), payment("d2", 1100, { paymentIntentId: "pi_d1" }), limits)).toEqual({ kind: "duplicate" })
      // No row, and neither op nor spend counted (else the quota of 2 or the cap would now refuse).
      expect(await run((s) => s.usage.findById("use_d2"))).toBeUndefined()
      expect(await counters("key_d")).toEqual({ ops: 1, spendMicroUsd: 1100 })
      // The first row is untouched.
      expect(await run((s) => s.usage.findById("use_d1"))).toMatchObject({ state: "pending", txSignature: "sig_d1", paymentIntentId: "pi_d1", developerPriceMicroUsd: 1100 })
      // A duplicate from another key's call does not count on that key either.
      expect(await record(call("use_d3", "key_d_other"), payment("d3", 1100, { txSignature: "sig_d1" }), NO_LIMITS)).toEqual({ kind: "duplicate" })
      expect(await counters("key_d_other")).toEqual({ ops: 0, spendMicroUsd: 0 })
      // The same call with a fresh signature and intent records, filling the quota and the cap.
      expect(await record(call("use_d2", "key_d"), payment("d2"), limits)).toMatchObject({ kind: "recorded" })
      expect(await counters("key_d")).toEqual({ ops: 2, spendMicroUsd: 2200 })
      await expectCountersEqualRows("key_d")
    })

    test("settle reads the billing decision written at record: billable live rows wait for Stripe, the others are skipped", async () => {
      await record(call("use_b1", "key_b"), payment("b1"))
      await record(call("use_b2", "key_b", { billable: false }), payment("b2"))
      await record(call("use_b3", "key_b", { environment: "test" }), payment("b3"))
      expect(await run((s) => s.usage.findById("use_b2"))).toMatchObject({ billable: false, state: "pending" })
      for (const id of ["use_b1", "use_b2", "use_b3"]) {
        expect(await run((s) => s.usage.settle(id, { txSignature: `sig_${id.slice(4)}`, receiptId: null, settledAt: T0 + 1 }))).toBe(true)
      }
      expect(await run((s) => s.usage.findById("use_b1"))).toMatchObject({ billable: true, stripeState: "pending", state: "settled" })
      expect(await run((s) => s.usage.findById("use_b2"))).toMatchObject({ billable: false, stripeState: "skipped", state: "settled" })
      expect(await run((s) => s.usage.findById("use_b3"))).toMatchObject({ environment: "test", stripeState: "skipped", state: "settled" })
      await expectCountersEqualRows("key_b")
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
        expect(await record(call(c.id, "key_t", { agentId: c.agentId, createdAt: c.createdAt }), payment(c.id.slice(4), c.price, { agentName: `Agent ${c.agentId}` }), NO_LIMITS, period)).toMatchObject({ kind: "recorded" })
      }
      // Recorded, not yet settled: nothing in the day counters.
      expect(await run((s) => s.usage.totalsByAgent("key_t", "2026-01"))).toEqual([])
      for (const id of ["use_t1", "use_t2", "use_t3", "use_t4"]) expect(await run((s) => s.usage.settle(id, { txSignature: `sig_${id.slice(4)}`, receiptId: null, settledAt: feb1 }))).toBe(true)
      // Settled once only; a released call never counts.
      expect(await run((s) => s.usage.settle("use_t1", { txSignature: "sig_t1", receiptId: null, settledAt: feb1 }))).toBe(false)
      expect(await run((s) => s.usage.release("use_t5", "AgentFailed"))).toBe(true)
      const byAgent = (period: string) => run((s) => s.usage.totalsByAgent("key_t", period)).then((r) => [...r].sort((a, b) => a.agentId.localeCompare(b.agentId)))
      expect(await byAgent("2026-01")).toEqual([
        { agentId: "agent_a", agentName: "Agent agent_a", ops: 2, spendMicroUsd: 3000 },
        { agentId: "agent_b", agentName: "Agent agent_b", ops: 1, spendMicroUsd: 500 },
      ])
      expect(await byAgent("2026-02")).toEqual([{ agentId: "agent_a", agentName: "Agent agent_a", ops: 1, spendMicroUsd: 7000 }])
      expect(await run((s) => s.usage.daily({ keyId: "key_t" }, "2026-01-31", "2026-02-01"))).toEqual([
        { day: "2026-01-31", agentId: "agent_a", agentName: "Agent agent_a", calls: 2, spendMicroUsd: 3000 },
        { day: "2026-01-31", agentId: "agent_b", agentName: "Agent agent_b", calls: 1, spendMicroUsd: 500 },
        { day: "2026-02-01", agentId: "agent_a", agentName: "Agent agent_a", calls: 1, spendMicroUsd: 7000 },
      ])
      await expectCountersEqualRows("key_t", "2026-01")
      await expectCountersEqualRows("key_t", "2026-02")
      // The totals are the counters, not a scan of the rows: a counter moved by hand shows.
      await exec(suite.db, sql`update usage_agent_days set calls = calls + 40 where key_id = 'key_t' and agent_id = 'agent_b'`)
      expect((await byAgent("2026-01")).find((a) => a.agentId === "agent_b")?.ops).toBe(41)
    })

    test("release fails a pending or unknown row, once, and gives back exactly its op and spend; settle moves pending/unknown once; final rows stay", async () => {
      for (const [id, price] of [["use_r1", 500], ["use_r2", 700], ["use_r3", 900]] as const) expect(await record(call(id, "key_r"), payment(id.slice(4), price))).toMatchObject({ kind: "recorded" })
      expect(await counters("key_r")).toEqual({ ops: 3, spendMicroUsd: 2100 })
      // Pending: it stays as the failed call's record, with its payment.
      expect(await run((s) => s.usage.release("use_r1", "Interrupted"))).toBe(true)
      expect(await run((s) => s.usage.findById("use_r1"))).toMatchObject({ state: "failed", error: "Interrupted", txSignature: "sig_r1", developerPriceMicroUsd: 500, settledAt: null })
      expect(await counters("key_r")).toEqual({ ops: 2, spendMicroUsd: 1600 })
      // Unknown: the same.
      await run((s) => s.usage.markUnknown("use_r2", { txSignature: "sig_r2", error: "Timeout" }))
      expect(await run((s) => s.usage.findById("use_r2"))).toMatchObject({ state: "unknown" })
      expect(await run((s) => s.usage.release("use_r2", "AgentRefused"))).toBe(true)
      expect(await counters("key_r")).toEqual({ ops: 1, spendMicroUsd: 900 })
      expect(await run((s) => s.usage.findById("use_r2"))).toMatchObject({ state: "failed", error: "AgentRefused", settledAt: null })
      // Final rows: nothing is given back twice.
      expect(await run((s) => s.usage.release("use_r2", "again"))).toBe(false)
      expect(await run((s) => s.usage.settle("use_r2", { txSignature: "sig_r2", receiptId: null, settledAt: T0 + 1 }))).toBe(false)
      const settled = { txSignature: "sig_r3", receiptId: "rcp_r3", settledAt: T0 + 1000 }
      expect(await run((s) => s.usage.settle("use_r3", settled))).toBe(true)
      expect(await run((s) => s.usage.settle("use_r3", { ...settled, receiptId: null }))).toBe(false)
      expect(await run((s) => s.usage.release("use_r3", "Late"))).toBe(false)
      expect(await run((s) => s.usage.findById("use_r3"))).toMatchObject({ state: "settled", receiptId: "rcp_r3", error: null, billable: true, stripeState: "pending" })
      expect(await counters("key_r")).toEqual({ ops: 1, spendMicroUsd: 900 })
      await expectCountersEqualRows("key_r")
      expect(await run((s) => s.usage.release("use_missing", "x"))).toBe(false)
      // What a release gave back is room again under the quota and the cap.
      expect(await record(call("use_r4", "key_r"), payment("r4", 1100), { quota: 2, capMicroUsd: 2000 })).toMatchObject({ kind: "recorded" })
      expect(await counters("key_r")).toEqual({ ops: 2, spendMicroUsd: 2000 })
    })

    test("a legacy reserved row (written before calls were recorded with their payment) is removed by release, giving back its op only", async () => {
      expect(await record(call("use_l1", "key_l"), payment("l1", 700))).toMatchObject({ kind: "recorded" })
      await insertLegacyReserved("use_l2", "key_l")
      expect(await run((s) => s.usage.findById("use_l2"))).toMatchObject({ state: "reserved", developerPriceMicroUsd: 0, txSignature: null })
      expect(await counters("key_l")).toEqual({ ops: 2, spendMicroUsd: 700 })
      await expectCountersEqualRows("key_l")
      expect(await run((s) => s.usage.release("use_l2", "Abandoned"))).toBe(true)
      // Never paid: the row goes with its op; the recorded call's spend stays.
      expect(await run((s) => s.usage.findById("use_l2"))).toBeUndefined()
      expect(await counters("key_l")).toEqual({ ops: 1, spendMicroUsd: 700 })
      expect(await run((s) => s.usage.release("use_l2", "again"))).toBe(false)
      expect(await counters("key_l")).toEqual({ ops: 1, spendMicroUsd: 700 })
      await expectCountersEqualRows("key_l")
      // A legacy row is never settled (it has no payment to settle).
      await insertLegacyReserved("use_l3", "key_l")
      expect(await run((s) => s.usage.settle("use_l3", { txSignature: "sig_l3", receiptId: null, settledAt: T0 + 1 }))).toBe(false)
      expect(await run((s) => s.usage.findById("use_l3"))).toMatchObject({ state: "reserved" })
    })

    test("a call recorded in one month is given back to that month, op and spend", async () => {
      const feb = Date.UTC(2026, 1, 28, 23, 59, 59, 999)
      const mar = Date.UTC(2026, 2, 1)
      expect(await record(call("use_m1", "key_m", { createdAt: feb }), payment("m1", 800), NO_LIMITS, "2026-02")).toMatchObject({ kind: "recorded" })
      expect(await record(call("use_m2", "key_m", { createdAt: mar }), payment("m2", 300), NO_LIMITS, "2026-03")).toMatchObject({ kind: "recorded" })
      expect(await counters("key_m", "2026-02")).toEqual({ ops: 1, spendMicroUsd: 800 })
      expect(await run((s) => s.usage.release("use_m1", "x"))).toBe(true)
      expect(await counters("key_m", "2026-02")).toEqual({ ops: 0, spendMicroUsd: 0 })
      expect(await counters("key_m", "2026-03")).toEqual({ ops: 1, spendMicroUsd: 300 })
      // The same for a legacy reserved row on a month's last millisecond.
      await insertLegacyReserved("use_m3", "key_m", feb, "2026-02")
      expect(await counters("key_m", "2026-02")).toEqual({ ops: 1, spendMicroUsd: 0 })
      expect(await run((s) => s.usage.release("use_m3", "x"))).toBe(true)
      expect(await counters("key_m", "2026-02")).toEqual({ ops: 0, spendMicroUsd: 0 })
      expect(await counters("key_m", "2026-03")).toEqual({ ops: 1, spendMicroUsd: 300 })
    })

    test("unresolved pages through open rows in id order: unknown at any age, pending and legacy reserved only when stale", async () => {
      await insertLegacyReserved("use_u1", "key_u")
      await record(call("use_u2", "key_u"), payment("u2"))
      await record(call("use_u3", "key_u"), payment("u3"))
      await record(call("use_u4", "key_u", { createdAt: T0 + 10_000 }), payment("u4"))
      await record(call("use_u5", "key_u"), payment("u5"))
      await run((s) => s.usage.markUnknown("use_u3", { txSignature: "sig_u3", error: "Timeout" }))
      // Final rows are never unresolved.
      await run((s) => s.usage.settle("use_u5", { txSignature: "sig_u5", receiptId: null, settledAt: T0 + 1 }))
      const ids = (rows: ReadonlyArray<{ id: string }>) => rows.map((r) => r.id).filter((id) => id.startsWith("use_u"))
      expect(ids(await run((s) => s.usage.unresolved(T0 + 1, 100)))).toEqual(["use_u1", "use_u2", "use_u3"])
      expect(ids(await run((s) => s.usage.unresolved(T0, 100)))).toEqual(["use_u3"])
      expect(ids(await run((s) => s.usage.unresolved(T0 + 20_000, 100, "use_u2")))).toEqual(["use_u3", "use_u4"])
    })

    test("history shows a call from its payment on: a recorded call is listed at once, a legacy reserved row is not", async () => {
      await insertLegacyReserved("use_h0", "key_h")
      expect(await run((s) => s.usage.history({ keyId: "key_h", limit: 10 }))).toEqual([])
      await record(call("use_h1", "key_h"), payment("h1"))
      expect((await run((s) => s.usage.history({ keyId: "key_h", limit: 10 }))).map((r) => [r.id, r.state])).toEqual([["use_h1", "pending"]])
      // A refused call is not listed either: it wrote nothing.
      await record(call("use_h2", "key_h"), payment("h2"), { quota: 2, capMicroUsd: null })
      await record(call("use_h3", "key_h"), payment("h3"), { quota: 2, capMicroUsd: null })
      expect((await run((s) => s.usage.history({ keyId: "key_h", limit: 10 }))).map((r) => r.id)).toEqual(["use_h1"])
    })

    test("concurrent records of one key never overshoot the quota: exactly the quota is recorded and the counters equal the rows", async () => {
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => record(call(`use_cq${String(i).padStart(2, "0")}`, "key_cq_race"), payment(`cq${i}`, 100), { quota: 5, capMicroUsd: null })),
      )
      expect(results.filter((r) => r.kind === "recorded").length).toBe(5)
      expect(results.filter((r) => r.kind === "over_quota").length).toBe(15)
      expect(await counters("key_cq_race")).toEqual({ ops: 5, spendMicroUsd: 500 })
      expect((await run((s) => s.usage.history({ keyId: "key_cq_race", limit: 100 }))).length).toBe(5)
      await expectCountersEqualRows("key_cq_race")
    })

    test("concurrent records of one key never overshoot the cap: the refused ones report a spend they would pass, and the counters equal the rows", async () => {
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => record(call(`use_cc${String(i).padStart(2, "0")}`, "key_cc_race"), payment(`cc${i}`, 300), { quota: null, capMicroUsd: 1500 })),
      )
      expect(results.filter((r) => r.kind === "recorded").length).toBe(5)
      for (const r of results) if (r.kind !== "recorded") expect(r.kind === "over_cap" && r.spentMicroUsd + 300 > 1500).toBe(true)
      expect(await counters("key_cc_race")).toEqual({ ops: 5, spendMicroUsd: 1500 })
      expect((await run((s) => s.usage.history({ keyId: "key_cc_race", limit: 100 }))).length).toBe(5)
      await expectCountersEqualRows("key_cc_race")
      // Both limits at once, racing with duplicates of one signature: still within both, one row per signature.
      const mixed = await Promise.all(
        Array.from({ length: 20 }, (_, i) => record(call(`use_cm${String(i).padStart(2, "0")}`, "key_cm_race"), payment(`cm${i % 10}`, 100 + i), { quota: 4, capMicroUsd: 1000 })),
      )
      const recorded = mixed.filter((r) => r.kind === "recorded").length
      expect(recorded).toBeGreaterThanOrEqual(1)
      expect(recorded).toBeLessThanOrEqual(4)
      const rows = await run((s) => s.usage.history({ keyId: "key_cm_race", limit: 100 }))
      expect(rows.length).toBe(recorded)
      expect(new Set(rows.map((r) => r.txSignature)).size).toBe(recorded)
      const c = await counters("key_cm_race")
      expect(c.ops).toBeLessThanOrEqual(4)
      expect(c.spendMicroUsd).toBeLessThanOrEqual(1000)
      await expectCountersEqualRows("key_cm_race")
    })

    test("a release racing a settle of the same pending row: exactly one wins, and the counters equal the rows", async () => {
      let settled = 0
      for (let i = 0; i < 100; i++) {
        const id = `use_rs${String(i).padStart(3, "0")}`
        expect(await record(call(id, "key_rs"), payment(`rs${i}`, 100))).toMatchObject({ kind: "recorded" })
        // The reconciler (or a client gone) releasing while the call's own settle is in flight, on another connection;
        // started in either order (on SQLite, one writer, the first started wins).
        const releasing = () => run((s) => s.usage.release(id, "Interrupted"))
        const settling = () => run((s) => s.usage.settle(id, { txSignature: `sig_rs${i}`, receiptId: null, settledAt: T0 + 1 }))
        // One in ten runs each order outright, so both outcomes are exercised whatever the timing; the rest race.
        const [release, settle] =
          i % 10 === 0 ? await releasing().then(async (rl) => [rl, await settling()] as const)
          : i % 10 === 1 ? await settling().then(async (st) => [await releasing(), st] as const)
          : i % 2 === 0 ? await Promise.all([releasing(), settling()])
          : await Promise.all([settling(), releasing()]).then(([st, rl]) => [rl, st] as const)
        expect({ i, one: release !== settle }).toEqual({ i, one: true })
        const row = await run((s) => s.usage.findById(id))
        expect({ i, state: row?.state }).toEqual({ i, state: settle ? "settled" : "failed" })
        if (settle) settled++
      }
      expect(await counters("key_rs")).toEqual({ ops: settled, spendMicroUsd: settled * 100 })
      await expectCountersEqualRows("key_rs")
      // Both outcomes happened, and the day counters count the settled calls only.
      expect(settled).toBeGreaterThan(0)
      expect(settled).toBeLessThan(100)
      expect((await run((s) => s.usage.totalsByAgent("key_rs", PERIOD))).map((t) => [t.ops, t.spendMicroUsd])).toEqual([[settled, settled * 100]])
    })

    test("a missing wallet reads as undefined", async () => {
      expect(await run((s) => s.wallets.findById("wal_missing"))).toBeUndefined()
    })
  })
}
