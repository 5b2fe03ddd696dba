// Migration 0005 over a database an older release left: rows that shared a
// payment (signature or intent) with an earlier row lose the claim, kept in
// `error`; the unique indexes then hold; the period counters, which a crash
// could leak, are rebuilt from the rows per key and calendar month (UTC).
import { describe, expect, test } from "bun:test"
import { sql } from "drizzle-orm"
import type { DatabaseHandle } from "../../src/platform/db/database"
import { migrationStatus, runMigrations } from "../../src/platform/db/migrations"
import * as pg from "../../src/platform/db/schema.pg"
import * as lite from "../../src/platform/db/schema.sqlite"
import { exec, selectAll } from "../support/billing"
import { atMigration, dialects } from "../support/db"

/** 0000 … 0004: the schema before one payment per call. */
const BEFORE_0005 = 5

const KEY_A = "key_legacy_a"
const KEY_B = "key_legacy_b"
const SHARED_SIG = "5sharedSignatureOfOneSignedMessage1111111111111111111111111111111111111111"
const SHARED_INTENT = "0b6c2f4e-1111-4a2b-9c3d-5e6f7a8b9c0d"
const BOTH_SIG = "3signatureSharedWithItsIntentToo22222222222222222222222222222222222222222"
const BOTH_INTENT = "7d1e3a5c-2222-4b6d-8e0f-1a2b3c4d5e6f"

type Legacy = {
  readonly id: string
  readonly keyId: string
  readonly state: string
  /** micro-USD */
  readonly price: number
  readonly createdAt: number
  readonly sig: string | null
  readonly intent: string | null
  readonly error?: string
}

const jan = (day: number, minute = 0) => Date.UTC(2026, 0, day, 12, minute)
// Ids sort like their creation times (as newId's do): the earliest row is the lowest id.
const legacy: ReadonlyArray<Legacy> = [
  // One signed message recorded by three calls of one key.
  { id: "use_a01", keyId: KEY_A, state: "settled", price: 15_000, createdAt: jan(10, 0), sig: SHARED_SIG, intent: "intent-s1" },
  { id: "use_a02", keyId: KEY_A, state: "settled", price: 15_000, createdAt: jan(10, 1), sig: SHARED_SIG, intent: "intent-s2" },
  { id: "use_a03", keyId: KEY_A, state: "pending", price: 15_000, createdAt: jan(10, 2), sig: SHARED_SIG, intent: "intent-s3", error: "MarketplaceUnavailable" },
  // One intent recorded by two calls.
  { id: "use_a04", keyId: KEY_A, state: "settled", price: 1_500, createdAt: jan(11), sig: "sig-p1", intent: SHARED_INTENT },
  { id: "use_a05", keyId: KEY_A, state: "unknown", price: 1_500, createdAt: jan(12), sig: "sig-p2", intent: SHARED_INTENT },
  // Failed calls hold no op and no spend.
  { id: "use_a06", keyId: KEY_A, state: "failed", price: 60_000, createdAt: jan(13), sig: "sig-f1", intent: "intent-f1", error: "AgentFailed" },
  // The last millisecond of January, and the first of February.
  { id: "use_a07", keyId: KEY_A, state: "settled", price: 30_000, createdAt: Date.parse("2026-01-31T23:59:59.999Z"), sig: "sig-b1", intent: "intent-b1" },
  { id: "use_a08", keyId: KEY_A, state: "settled", price: 20_000, createdAt: Date.parse("2026-02-01T00:00:00.000Z"), sig: "sig-b2", intent: "intent-b2" },
  { id: "use_a09", keyId: KEY_A, state: "pending", price: 1_000, createdAt: Date.UTC(2026, 1, 5), sig: "sig-b3", intent: "intent-b3" },
  // Another key: two rows sharing both the signature and the intent.
  { id: "use_b01", keyId: KEY_B, state: "settled", price: 7_000, createdAt: jan(20, 0), sig: BOTH_SIG, intent: BOTH_INTENT },
  { id: "use_b02", keyId: KEY_B, state: "settled", price: 7_000, createdAt: jan(20, 1), sig: BOTH_SIG, intent: BOTH_INTENT },
  // A failed call without any payment.
  { id: "use_b03", keyId: KEY_B, state: "failed", price: 7_000, createdAt: jan(21), sig: null, intent: null, error: "QuotaExhausted" },
]

/** Counters as a crash left them: reservations never given back. */
const leakedPeriods = [
  { keyId: KEY_A, period: "2025-12", ops: 3, spendMicroUsd: 3_000 },
  { keyId: KEY_A, period: "2026-01", ops: 130, spendMicroUsd: 999_999 },
  { keyId: KEY_A, period: "2026-02", ops: 50, spendMicroUsd: 5 },
  { keyId: KEY_B, period: "2026-01", ops: 9, spendMicroUsd: 123 },
]

const tables = (h: DatabaseHandle) => (h.kind === "sqlite" ? lite : (pg as unknown as typeof lite))

// In SQL with the columns the table had then: today's schema has columns
// that later migrations add.
const insertUsage = async (h: DatabaseHandle, rows: ReadonlyArray<Legacy>) => {
  for (const r of rows) {
    await exec(h, sql`insert into usage (id, key_id, user_id, agent_id, agent_name, agent_price_micro_usd, markup_micro_usd, developer_price_micro_usd, wallet_id, request_id, payment_intent_id, state, tx_signature, error, created_at, settled_at)
      values (${r.id}, ${r.keyId}, 'usr_legacy', 'agt_legacy', 'Legacy agent', ${r.price}, 0, ${r.price}, 'wal_legacy', ${`req_${r.id}`}, ${r.intent}, ${r.state}, ${r.sig}, ${r.error ?? null}, ${r.createdAt}, ${r.state === "settled" ? r.createdAt : null})`)
  }
}

const usageById = async (h: DatabaseHandle) =>
  Object.fromEntries(
    (await selectAll(h, sql`select id, tx_signature, payment_intent_id, error, state from usage order by id`)).map((r) => [
      r.id,
      { sig: r.tx_signature ?? null, intent: r.payment_intent_id ?? null, error: r.error ?? null, state: r.state },
    ]),
  )

const periods = async (h: DatabaseHandle) =>
  Object.fromEntries(
    (await selectAll(h, sql`select key_id, period, ops, spend_micro_usd from usage_periods order by key_id, period`)).map((r) => [
      `${r.key_id} ${r.period}`,
      { ops: Number(r.ops), spend: Number(r.spend_micro_usd) },
    ]),
  )

const usageIndexes = async (h: DatabaseHandle): Promise<Array<string>> =>
  h.kind === "sqlite"
    ? (await selectAll(h, sql`select name from sqlite_master where type = 'index' and tbl_name = 'usage' order by name`)).map((r) => r.name)
    : (await selectAll(h, sql`select indexname as name from pg_indexes where tablename = 'usage' order by indexname`)).map((r) => r.name)


for (const dialect of dialects) {
  describe(`migration 0005 over legacy rows (${dialect})`, () => {
    test("shared payments lose their claim to the earliest row, the unique indexes hold, and the counters equal the rows", () =>
      atMigration(dialect, BEFORE_0005, async (h) => {
        expect(await usageIndexes(h)).not.toContain("usage_tx_signature_uq")
        // Legacy rows as the old gateway could write them: nothing stopped a shared signature.
        await insertUsage(h, legacy)
        await (h.db as any).insert(tables(h).usagePeriods).values(leakedPeriods)

        await runMigrations(h)
        const status = await migrationStatus(h)
        expect(status.current).toBe(true)
        expect(status.applied).toBe(status.expected)

        const rows = await usageById(h)
        expect(rows).toEqual({
          // The earliest row of each group keeps the payment.
          use_a01: { sig: SHARED_SIG, intent: "intent-s1", error: null, state: "settled" },
          use_a02: { sig: null, intent: "intent-s2", error: `shared payment signature ${SHARED_SIG}`, state: "settled" },
          use_a03: { sig: null, intent: "intent-s3", error: `shared payment signature ${SHARED_SIG}; MarketplaceUnavailable`, state: "pending" },
          use_a04: { sig: "sig-p1", intent: SHARED_INTENT, error: null, state: "settled" },
          use_a05: { sig: "sig-p2", intent: null, error: `shared payment intent ${SHARED_INTENT}`, state: "unknown" },
          use_a06: { sig: "sig-f1", intent: "intent-f1", error: "AgentFailed", state: "failed" },
          use_a07: { sig: "sig-b1", intent: "intent-b1", error: null, state: "settled" },
          use_a08: { sig: "sig-b2", intent: "intent-b2", error: null, state: "settled" },
          use_a09: { sig: "sig-b3", intent: "intent-b3", error: null, state: "pending" },
          use_b01: { sig: BOTH_SIG, intent: BOTH_INTENT, error: null, state: "settled" },
          use_b02: { sig: null, intent: null, error: `shared payment intent ${BOTH_INTENT}; shared payment signature ${BOTH_SIG}`, state: "settled" },
          use_b03: { sig: null, intent: null, error: "QuotaExhausted", state: "failed" },
        })

        // Counters rebuilt from the rows: pending, unknown and settled count, failed does not.
        expect(await periods(h)).toEqual({
          // No row in December: the whole counter was leaked.
          [`${KEY_A} 2025-12`]: { ops: 0, spend: 0 },
          // a01–a05 and a07 (the last millisecond of January).
          [`${KEY_A} 2026-01`]: { ops: 6, spend: 3 * 15_000 + 2 * 1_500 + 30_000 },
          // a08 (the first millisecond of February) and a09.
          [`${KEY_A} 2026-02`]: { ops: 2, spend: 20_000 + 1_000 },
          [`${KEY_B} 2026-01`]: { ops: 2, spend: 2 * 7_000 },
        })

        // The indexes now arbitrate: a second row for a signature or an intent is refused.
        expect(await usageIndexes(h)).toEqual(expect.arrayContaining(["usage_tx_signature_uq", "usage_payment_intent_uq"]))
        const fresh = (id: string, sig: string | null, intent: string | null): Legacy => ({ id, keyId: KEY_A, state: "pending", price: 1, createdAt: jan(25), sig, intent })
        await expect(insertUsage(h, [fresh("use_c01", SHARED_SIG, "intent-new-1")])).rejects.toThrow()
        await expect(insertUsage(h, [fresh("use_c02", "sig-new-2", SHARED_INTENT)])).rejects.toThrow()
        await expect(insertUsage(h, [fresh("use_c03", "sig-b3", "intent-new-3")])).rejects.toThrow()
        // Rows without a payment (reserved calls) are many.
        await insertUsage(h, [fresh("use_c04", null, null), fresh("use_c05", null, null)])
        await insertUsage(h, [fresh("use_c06", "sig-new-6", "intent-new-6")])
        expect(Object.keys(await usageById(h)).filter((id) => id.startsWith("use_c"))).toEqual(["use_c04", "use_c05", "use_c06"])

        // Running the migrations again changes nothing.
        const before = { rows: await usageById(h), periods: await periods(h) }
        await runMigrations(h)
        expect({ rows: await usageById(h), periods: await periods(h) }).toEqual(before)
      }))

    test("a database without shared payments keeps every row as it was; only the counters are rebuilt", () =>
      atMigration(dialect, BEFORE_0005, async (h) => {
        const clean = legacy.filter((r) => ["use_a01", "use_a04", "use_a06", "use_a07", "use_a08"].includes(r.id))
        await insertUsage(h, clean)
        await (h.db as any).insert(tables(h).usagePeriods).values([{ keyId: KEY_A, period: "2026-01", ops: 7, spendMicroUsd: 106_500 }])
        const before = await usageById(h)
        await runMigrations(h)
        expect(await usageById(h)).toEqual(before)
        // a01, a04, a07 in January (a06 failed); four leaked reservations given back.
        expect(await periods(h)).toEqual({ [`${KEY_A} 2026-01`]: { ops: 3, spend: 15_000 + 1_500 + 30_000 } })
      }))
  })
}
