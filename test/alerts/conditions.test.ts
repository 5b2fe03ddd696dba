// The alert conditions as pure rules: which subjects fire, and when not.
import { describe, expect, test } from "bun:test"
import { lowWallets, OUTBOX_AFTER_MS, outboxTooOld, poolBelowFloor, stripeRefusing, UNKNOWN_AFTER_MS, unknownTooLong } from "../../src/modules/alerts/conditions"
import { payingStatus } from "../../src/modules/pool/balances"
import { signatureOf } from "../../src/platform/signing"
import { createHmac } from "node:crypto"

const wallet = (over: Partial<{ publicKey: string; status: string; environment: string; usdcBalance: number; lamports: number }>) => ({ publicKey: "W1", status: "active", environment: "live", usdcBalance: 50_000_000, lamports: 100_000_000, ...over })

describe("alert conditions", () => {
  test("a live wallet low or depleted fires under its public key; active, retired and test wallets do not", () => {
    const firing = lowWallets([wallet({ publicKey: "A", status: "low_balance", usdcBalance: 1_500_000 }), wallet({ publicKey: "B", status: "depleted", usdcBalance: 0, lamports: 0 }), wallet({ publicKey: "C" }), wallet({ publicKey: "D", status: "retired" }), wallet({ publicKey: "E", status: "depleted", environment: "test" })])
    expect(firing.map((f) => f.subject)).toEqual(["A", "B"])
    expect(firing[0]!.detail).toContain("$1.5 USDC")
    expect(firing[1]!.detail).toContain("depleted")
  })

  test("a retired wallet still holding keys' storage data is judged by its balance; a retired one holding none never fires", () => {
    const held = { ...wallet({ publicKey: "H", status: "retired", usdcBalance: 100 }), id: "wal_h" }
    const idle = { ...wallet({ publicKey: "R", status: "retired", usdcBalance: 100 }), id: "wal_r" }
    const byBalance = (w: { id: string; status: string; usdcBalance: number }) => (w.id !== "wal_h" ? w.status : w.usdcBalance < 1000 ? "depleted" : "active")
    const firing = lowWallets([held, idle], byBalance)
    expect(firing.map((f) => f.subject)).toEqual(["H"])
    expect(firing[0]!.detail).toContain("retired, still paying storage calls")
    expect(lowWallets([{ ...held, usdcBalance: 5000 }], byBalance)).toEqual([])
  })

  test("a retired wallet is judged by its last read balance, and one never read stays retired (no alert, no refusal)", () => {
    const t = { minCallUsdc: 1_000, minLamports: 10_000, lowUsdc: 5_000_000, lowLamports: 50_000_000 }
    const retired = { status: "retired" as const, usdcBalance: 0, lamports: 0 }
    expect(payingStatus({ ...retired, lastBalanceCheckAt: null }, t)).toBe("retired")
    expect(payingStatus({ ...retired, lastBalanceCheckAt: 1 }, t)).toBe("depleted")
    expect(payingStatus({ ...retired, usdcBalance: 1_000_000, lamports: 100_000_000, lastBalanceCheckAt: 1 }, t)).toBe("low_balance")
    expect(payingStatus({ status: "active", usdcBalance: 0, lamports: 0, lastBalanceCheckAt: 1 }, t)).toBe("active")
  })

  test("the pool floor fires below it only, counts live wallets that are not retired, and is off without a floor", () => {
    const wallets = [wallet({ usdcBalance: 30_000_000 }), wallet({ usdcBalance: 20_000_000 }), wallet({ usdcBalance: 999_000_000, status: "retired" }), wallet({ usdcBalance: 999_000_000, environment: "test" })]
    expect(poolBelowFloor(wallets, 50_000_001).map((f) => f.subject)).toEqual(["live"])
    expect(poolBelowFloor(wallets, 50_000_000)).toEqual([])
    expect(poolBelowFloor(wallets, undefined)).toEqual([])
  })

  test("unknown rows fire after ten minutes, the outbox after fifteen, not a millisecond before", () => {
    const now = 1_000_000_000
    expect(unknownTooLong(3, now - UNKNOWN_AFTER_MS, now)).toEqual([])
    expect(unknownTooLong(3, now - UNKNOWN_AFTER_MS - 1, now).map((f) => f.subject)).toEqual(["usage"])
    expect(unknownTooLong(0, null, now)).toEqual([])
    expect(outboxTooOld(7, now - OUTBOX_AFTER_MS, now)).toEqual([])
    expect(outboxTooOld(7, now - OUTBOX_AFTER_MS - 1, now)[0]!.detail).toContain("7 billable usage rows wait")
  })

  test("Stripe fires when every request since the last check failed (three at least), not when one succeeded, one failed alone, or none was made", () => {
    expect(stripeRefusing({ ok: 0, failed: 3 }).map((f) => f.subject)).toEqual(["stripe"])
    expect(stripeRefusing({ ok: 0, failed: 2 })).toEqual([])
    expect(stripeRefusing({ ok: 1, failed: 3 })).toEqual([])
    expect(stripeRefusing({ ok: 0, failed: 0 })).toEqual([])
  })

  test("the signature is Stripe's scheme: t and the hex HMAC-SHA256 of t.body", () => {
    const expected = createHmac("sha256", "secret-0123456789").update('1700000000.{"a":1}').digest("hex")
    expect(signatureOf("secret-0123456789", '{"a":1}', 1_700_000_000)).toBe(`t=1700000000,v1=${expected}`)
  })
})
