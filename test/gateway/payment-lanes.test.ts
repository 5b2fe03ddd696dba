// Wallet choice for concurrent payments (PaymentLanesState): plain state, no
// database or server. A wallet paying one agent under one blockhash always
// signs the same message, so the lanes must spread concurrent calls.
import { describe, expect, test } from "bun:test"
import type { WalletRow } from "../../src/store/wallets/repo"
import { PaymentLanesState } from "../../src/modules/gateway/payment-lanes"

const AGENT = "1e4a7b90-6c2d-4f35-b8a9-0d3e5f7a2c61"
const OTHER_AGENT = "7c0e8a52-3f1d-4b7e-9a61-2d5c8e4f1a03"
const w = (id: string) => ({ id })
const [A, B, C, D] = [w("wal_a"), w("wal_b"), w("wal_c"), w("wal_d")]
const POOL = [A, B, C, D]
const BH1 = "11".repeat(32)
const BH2 = "22".repeat(32)

describe("PaymentLanesState", () => {
  test("the key's own wallet is chosen when it is free, whatever the alternatives", () => {
    const lanes = new PaymentLanesState()
    expect(lanes.isFree(AGENT, A.id)).toBe(true)
    expect(lanes.choose(AGENT, A, POOL)).toEqual({ wallet: A, free: true })
    // Without alternatives too.
    const other = new PaymentLanesState()
    expect(other.choose(AGENT, B, undefined)).toEqual({ wallet: B, free: true })
  })

  test("a wallet with an attempt in flight is skipped for a free alternative", () => {
    const lanes = new PaymentLanesState()
    expect(lanes.choose(AGENT, A, POOL).wallet).toBe(A)
    expect(lanes.isFree(AGENT, A.id)).toBe(false)
    const second = lanes.choose(AGENT, A, POOL)
    expect(second.free).toBe(true)
    expect(second.wallet).not.toBe(A)
    // A third call avoids both wallets in flight.
    const third = lanes.choose(AGENT, A, POOL)
    expect(third.free).toBe(true)
    expect([A.id, second.wallet.id]).not.toContain(third.wallet.id)
    // In flight for one agent does not make the wallet busy for another.
    expect(lanes.isFree(OTHER_AGENT, A.id)).toBe(true)
    expect(lanes.choose(OTHER_AGENT, A, POOL)).toEqual({ wallet: A, free: true })
  })

  test("every wallet in flight: the own wallet, marked not free", () => {
    const lanes = new PaymentLanesState()
    const chosen = [lanes.choose(AGENT, A, [A, B]), lanes.choose(AGENT, A, [A, B])]
    expect(chosen.map((c) => c.wallet.id).sort()).toEqual([A.id, B.id])
    expect(lanes.choose(AGENT, A, [A, B])).toEqual({ wallet: A, free: false })
  })

  test("a claim under blockhash B: observe(B) says taken, and choose avoids the wallet while B is the latest seen", () => {
    const lanes = new PaymentLanesState()
    const first = lanes.choose(AGENT, A, POOL)
    expect(lanes.observe(AGENT, A.id, BH1)).toBe("fresh")
    lanes.claimed(AGENT, A.id, BH1)
    lanes.release(AGENT, first.wallet.id)
    // Nothing in flight, but its message under BH1 is spent.
    expect(lanes.isFree(AGENT, A.id)).toBe(false)
    expect(lanes.observe(AGENT, A.id, BH1)).toBe("taken")
    const next = lanes.choose(AGENT, A, POOL)
    expect(next.free).toBe(true)
    expect(next.wallet).not.toBe(A)
    lanes.release(AGENT, next.wallet.id)
    // Another wallet under the same blockhash is fresh.
    expect(lanes.observe(AGENT, B.id, BH1)).toBe("fresh")
    // Another agent is unaffected: a different message.
    expect(lanes.isFree(OTHER_AGENT, A.id)).toBe(true)
    expect(lanes.observe(OTHER_AGENT, A.id, BH1)).toBe("fresh")
  })

  test("a newer blockhash frees the wallet", () => {
    const lanes = new PaymentLanesState()
    lanes.observe(AGENT, A.id, BH1)
    lanes.claimed(AGENT, A.id, BH1)
    expect(lanes.isFree(AGENT, A.id)).toBe(false)
    // Some build (by any wallet) carried a newer blockhash.
    expect(lanes.observe(AGENT, B.id, BH2)).toBe("fresh")
    expect(lanes.isFree(AGENT, A.id)).toBe(true)
    expect(lanes.choose(AGENT, A, POOL)).toEqual({ wallet: A, free: true })
    expect(lanes.observe(AGENT, A.id, BH2)).toBe("fresh")
  })

  test("a storage call (no alternatives) always gets the own wallet, busy or not", () => {
    const lanes = new PaymentLanesState()
    expect(lanes.choose(AGENT, A, undefined)).toEqual({ wallet: A, free: true })
    expect(lanes.choose(AGENT, A, undefined)).toEqual({ wallet: A, free: false })
    lanes.observe(AGENT, A.id, BH1)
    lanes.claimed(AGENT, A.id, BH1)
    expect(lanes.choose(AGENT, A, undefined)).toEqual({ wallet: A, free: false })
    // An empty list is no alternative either.
    expect(lanes.choose(AGENT, A, [])).toEqual({ wallet: A, free: false })
    // Alternatives holding only the own wallet give nothing else.
    expect(lanes.choose(AGENT, A, [A])).toEqual({ wallet: A, free: false })
  })

  test("release decrements the in-flight count and frees the wallet at zero", () => {
    const lanes = new PaymentLanesState()
    lanes.choose(AGENT, A, undefined)
    lanes.choose(AGENT, A, undefined)
    expect(lanes.isFree(AGENT, A.id)).toBe(false)
    lanes.release(AGENT, A.id)
    expect(lanes.isFree(AGENT, A.id)).toBe(false)
    lanes.release(AGENT, A.id)
    expect(lanes.isFree(AGENT, A.id)).toBe(true)
    // A release without a choice is harmless.
    lanes.release(AGENT, A.id)
    lanes.release(AGENT, "wal_never")
    expect(lanes.isFree(AGENT, A.id)).toBe(true)
    expect(lanes.choose(AGENT, A, POOL)).toEqual({ wallet: A, free: true })
  })

  test("rotation spreads the choices over the pool", () => {
    const lanes = new PaymentLanesState()
    // The own wallet stays busy; each contended call takes the next free one and releases it.
    lanes.choose(AGENT, A, POOL)
    const picks: Array<string> = []
    for (let i = 0; i < 12; i++) {
      const c = lanes.choose(AGENT, A, POOL)
      expect(c.free).toBe(true)
      picks.push(c.wallet.id)
      lanes.release(AGENT, c.wallet.id)
    }
    expect(picks).not.toContain(A.id)
    // Every other wallet is used, each several times.
    expect(new Set(picks)).toEqual(new Set([B.id, C.id, D.id]))
    const counts = picks.reduce<Record<string, number>>((acc, id) => ({ ...acc, [id]: (acc[id] ?? 0) + 1 }), {})
    for (const n of Object.values(counts)) expect(n).toBeGreaterThanOrEqual(3)
  })

  test("concurrent choices with nothing released get distinct wallets until the pool is used up", () => {
    const lanes = new PaymentLanesState()
    const chosen = POOL.map(() => lanes.choose(AGENT, A, POOL))
    expect(chosen.every((c) => c.free)).toBe(true)
    expect(new Set(chosen.map((c) => c.wallet.id)).size).toBe(POOL.length)
    expect(lanes.choose(AGENT, A, POOL).free).toBe(false)
  })

  test("the paying wallets list lives for its ttl (ms), one per pool, and not past a wallet write of this process", () => {
    const lanes = new PaymentLanesState()
    expect(lanes.cachedAlternatives("live", 1_000, 0)).toBeUndefined()
    // Only the ids matter here; the rows are whole wallets in the gateway.
    const rows = POOL as unknown as ReadonlyArray<WalletRow>
    lanes.rememberAlternatives("live", rows, 1_000, 5_000, 7)
    expect(lanes.cachedAlternatives("live", 5_999, 7)).toEqual(rows)
    // Test keys never pay from the live pool's wallets.
    expect(lanes.cachedAlternatives("test", 5_999, 7)).toBeUndefined()
    expect(lanes.cachedAlternatives("live", 6_000, 7)).toBeUndefined()
    // A balance check or an assignment since the read: read again.
    expect(lanes.cachedAlternatives("live", 2_000, 8)).toBeUndefined()
  })

  test("one gate per agent and wallet", () => {
    const lanes = new PaymentLanesState()
    expect(lanes.gate(AGENT, A.id)).toBe(lanes.gate(AGENT, A.id))
    expect(lanes.gate(AGENT, A.id)).not.toBe(lanes.gate(AGENT, B.id))
    expect(lanes.gate(AGENT, A.id)).not.toBe(lanes.gate(OTHER_AGENT, A.id))
  })
})
