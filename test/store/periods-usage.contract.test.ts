// The per-call bookkeeping repositories on every dialect: quota and spend
// reservations on usage_periods, and the usage row's pending → settled/failed
// life. The SQLite side runs these as hand-written cached statements, so the
// results (values, defaults, booleans, undefined) must match Postgres's.
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { Effect } from "effect"
import type { NewUsage } from "../../src/store/usage/repo"
import { Store } from "../../src/store/store"
import { makeTestApp, type TestApp } from "../support/app"
import { dialects } from "../support/db"

for (const dialect of dialects) {
  describe(`usage periods and usage rows (${dialect})`, () => {
    let h: TestApp
    beforeAll(async () => {
      h = await makeTestApp(dialect)
    })
    afterAll(() => h.close())
    const run = <A, E>(f: (s: typeof Store.Service) => Effect.Effect<A, E>) => h.runtime.runPromise(Effect.flatMap(Store, f))

    test("reserveOp counts up to the quota and no further; no quota counts freely; a zero quota refuses", async () => {
      const got = []
      for (let i = 0; i < 4; i++) got.push(await run((s) => s.periods.reserveOp("key_q", "2026-01", 3)))
      expect(got).toEqual([1, 2, 3, undefined])
      expect(await run((s) => s.periods.reserveOp("key_free", "2026-01", null))).toBe(1)
      expect(await run((s) => s.periods.reserveOp("key_free", "2026-01", null))).toBe(2)
      expect(await run((s) => s.periods.reserveOp("key_zero", "2026-01", 0))).toBeUndefined()
      expect(await run((s) => s.periods.get("key_zero", "2026-01"))).toEqual({ ops: 0, spendMicroUsd: 0 })
      // Another period is another row.
      expect(await run((s) => s.periods.reserveOp("key_q", "2026-02", 3))).toBe(1)
    })

    test("reserveSpend adds within the cap and refuses beyond it; release gives back without going below zero", async () => {
      await run((s) => s.periods.reserveOp("key_s", "2026-01", null))
      const got = []
      for (const amount of [600, 400, 1]) got.push(await run((s) => s.periods.reserveSpend("key_s", "2026-01", amount, 1000)))
      expect(got).toEqual([true, true, false])
      expect(await run((s) => s.periods.reserveSpend("key_s", "2026-01", 5, null))).toBe(true)
      expect(await run((s) => s.periods.get("key_s", "2026-01"))).toEqual({ ops: 1, spendMicroUsd: 1005 })
      // No row for the period: nothing to add to.
      expect(await run((s) => s.periods.reserveSpend("key_none", "2026-01", 5, null))).toBe(false)
      await run((s) => s.periods.release("key_s", "2026-01", 1, 5))
      expect(await run((s) => s.periods.get("key_s", "2026-01"))).toEqual({ ops: 0, spendMicroUsd: 1000 })
      await run((s) => s.periods.release("key_s", "2026-01", 3, 5000))
      expect(await run((s) => s.periods.get("key_s", "2026-01"))).toEqual({ ops: 0, spendMicroUsd: 0 })
    })

    const pending = (id: string, over: Partial<NewUsage> = {}): NewUsage => ({
      id,
      keyId: "key_u",
      userId: "usr_u",
      agentId: "agent",
      agentName: "Agent",
      agentPriceMicroUsd: 1000,
      markupMicroUsd: 100,
      developerPriceMicroUsd: 1100,
      walletId: "wal_u",
      requestId: `req_${id}`,
      state: "pending",
      createdAt: 1_700_000_000_000,
      ...over,
    })

    test("insertPending stores the row with schema defaults for absent fields", async () => {
      await run((s) => s.usage.insertPending(pending("use_a", { idempotencyKey: null, txSignature: "sig_a" })))
      expect(await run((s) => s.usage.findById("use_a"))).toEqual({
        ...pending("use_a"),
        priceToken: "USDC",
        priceBase: 0,
        solRateMicroUsd: null,
        idempotencyKey: null,
        paymentIntentId: null,
        txSignature: "sig_a",
        receiptId: null,
        error: null,
        stripeState: "none",
        stripeReportedAt: null,
        stripeLeaseOwner: null,
        stripeLeaseUntil: null,
        stripeError: null,
        settledAt: null,
      })
      const full = pending("use_b", { priceToken: "SOL", priceBase: 5000, solRateMicroUsd: 150_000_000, idempotencyKey: "idem", paymentIntentId: "pi_b", txSignature: "sig_b" })
      await run((s) => s.usage.insertPending(full))
      expect(await run((s) => s.usage.findById("use_b"))).toMatchObject(full)
      // The id is unique: a second insert fails instead of overwriting.
      const exit = await h.runtime.runPromiseExit(Effect.flatMap(Store, (s) => s.usage.insertPending(pending("use_a"))))
      expect(exit._tag).toBe("Failure")
    })

    test("settle and fail move an open row once; a final row stays as it is", async () => {
      await run((s) => s.usage.insertPending(pending("use_s")))
      await run((s) => s.usage.markUnknown("use_s", { txSignature: "sig_s", error: "Timeout" }))
      const settled = { txSignature: "sig_s2", receiptId: "rcp_s", settledAt: 1_700_000_001_000, stripeState: "pending" }
      expect(await run((s) => s.usage.settle("use_s", settled))).toBe(true)
      expect(await run((s) => s.usage.findById("use_s"))).toMatchObject({ state: "settled", ...settled, error: null })
      expect(await run((s) => s.usage.settle("use_s", { ...settled, receiptId: null }))).toBe(false)
      expect(await run((s) => s.usage.fail("use_s", "Late"))).toBe(false)
      expect(await run((s) => s.usage.findById("use_s"))).toMatchObject({ state: "settled", receiptId: "rcp_s", error: null })

      await run((s) => s.usage.insertPending(pending("use_f")))
      expect(await run((s) => s.usage.fail("use_f", "AgentRefused"))).toBe(true)
      expect(await run((s) => s.usage.findById("use_f"))).toMatchObject({ state: "failed", error: "AgentRefused", settledAt: null })
      expect(await run((s) => s.usage.settle("use_f", settled))).toBe(false)
      expect(await run((s) => s.usage.fail("use_missing", "x"))).toBe(false)
    })

    test("a missing wallet reads as undefined", async () => {
      expect(await run((s) => s.wallets.findById("wal_missing"))).toBeUndefined()
    })
  })
}
