// The refill maths and the status rule: pure functions, integer base units.
import { describe, expect, test } from "bun:test"
import { statusFor } from "../../src/modules/pool/balances"
import { refillCsv, refillReport } from "../../src/modules/pool/refill"
import type { WalletStatus } from "../../src/store/wallets/repo"
import { loadConfig } from "../../src/platform/config/config"

const w = (id: string, status: WalletStatus, usdcBalance: number, lamports: number, lastBalanceError: string | null = null) => ({
  id,
  publicKey: `pk_${id}`,
  status,
  usdcBalance,
  lamports,
  lastBalanceCheckAt: Date.UTC(2026, 0, 2, 3, 4, 5),
  lastBalanceError,
})

describe("refillReport", () => {
  const targets = { usdc: 100_000_000, lamports: 100_000_000 }

  test("each wallet needs target − balance, 0 at or above it; retired wallets are left out; totals are exact sums", () => {
    const r = refillReport([w("a", "active", 99_999_999, 0), w("b", "depleted", 0, 100_000_000), w("c", "low_balance", 250_000_000, 99_999_999), w("d", "retired", 0, 0)], targets)
    expect(r.wallets.map((l) => [l.wallet_id, l.usdc_needed, l.lamports_needed])).toEqual([
      ["a", 1, 100_000_000],
      ["b", 100_000_000, 0],
      ["c", 0, 1],
    ])
    expect({ usdc: r.total_usdc_needed, lamports: r.total_lamports_needed }).toEqual({ usdc: 100_000_001, lamports: 100_000_001 })
  })

  test("totals stay exact where float addition would drift (1000 wallets × 0.1 USDC short)", () => {
    const many = Array.from({ length: 1000 }, (_, i) => w(`w${i}`, "active", 1_000_000 - 100_000, 0))
    const r = refillReport(many, { usdc: 1_000_000, lamports: 7 })
    expect({ usdc: r.total_usdc_needed, lamports: r.total_lamports_needed }).toEqual({ usdc: 100_000_000, lamports: 7_000 })
    expect(Number.isInteger(r.total_usdc_needed)).toBe(true)
  })

  test("a total beyond 2^53 is refused, never rounded", () => {
    const huge = Array.from({ length: 10 }, (_, i) => w(`w${i}`, "active", 0, 0))
    expect(() => refillReport(huge, { usdc: 1_000_000_000_000_000, lamports: 0 })).toThrow(RangeError)
  })

  test("CSV: header, one CRLF line per non-retired wallet, quoted and formula-safe free text, no totals row", () => {
    const r = refillReport([w("a", "active", 0, 0), w("b", "depleted", 5, 5, '=cmd|" x, y'), w("c", "retired", 0, 0)], targets)
    const csv = refillCsv(r)
    expect(csv.split("\r\n")).toEqual([
      "wallet_id,public_key,status,usdc_balance,usdc_needed,lamports,lamports_needed,last_balance_check_at,last_balance_error",
      "a,pk_a,active,0,100000000,0,100000000,2026-01-02T03:04:05.000Z,",
      `b,pk_b,depleted,5,99999995,5,99999995,2026-01-02T03:04:05.000Z,"'=cmd|"" x, y"`,
      "",
    ])
  })
})

describe("statusFor", () => {
  const t = { lowUsdc: 10_000_000, lowLamports: 5_000_000, minCallUsdc: 40_000, minLamports: 10_000 }
  test.each([
    [10_000_000, 5_000_000, "active"],
    [9_999_999, 5_000_000, "low_balance"],
    [10_000_000, 4_999_999, "low_balance"],
    [40_000, 5_000_000, "low_balance"],
    [39_999, 100_000_000, "depleted"],
    [1_000_000_000, 9_999, "depleted"],
    [0, 0, "depleted"],
  ] as const)("usdc %d, lamports %d → %s", (usdc, lamports, expected) => {
    expect(statusFor({ usdc, lamports }, t)).toBe(expected)
  })
})

describe("pool configuration", () => {
  test("defaults are documented base units; a bad cron pattern stops start-up naming the variable", () => {
    const c = loadConfig({})
    expect({ cron: c.poolBalanceCron, low: c.poolLowBalanceUsdc, min: c.poolMinCallBase, minLamports: c.poolMinLamports, target: c.poolRefillTargetUsdc, size: c.sandboxPoolSize }).toEqual({
      cron: "0 * * * *",
      low: 10_000_000,
      min: 40_000,
      minLamports: 10_000,
      target: 100_000_000,
      size: 10,
    })
    expect(loadConfig({ POOL_BALANCE_CRON: "*/5 * * * *" }).poolBalanceCron).toBe("*/5 * * * *")
    expect(() => loadConfig({ POOL_BALANCE_CRON: "every hour" })).toThrow(/POOL_BALANCE_CRON: expected a cron pattern/)
    expect(() => loadConfig({ POOL_LOW_BALANCE_USDC: "1.5" })).toThrow(/POOL_LOW_BALANCE_USDC/)
  })
})
