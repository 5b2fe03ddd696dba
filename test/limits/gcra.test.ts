// The window maths alone: no I/O, times as plain numbers.
import { describe, expect, test } from "bun:test"
import { gcra, gcraParams, isIdle, WINDOW_MS, type GcraState } from "../../src/modules/limits/gcra"
import { MAX_LIMIT_PER_MINUTE } from "../../src/platform/tiers"

const T0 = Date.UTC(2026, 10, 15, 12, 0, 0)

/** Runs `n` calls at `now`, threading the state; returns how many passed and the last state. */
const burst = (n: number, now: number, limit: number, start?: GcraState) => {
  let state = start
  let allowed = 0
  const decisions = []
  for (let i = 0; i < n; i++) {
    const r = gcra(now, state, limit)
    state = r.state
    if (r.decision.allowed) allowed++
    decisions.push(r.decision)
  }
  return { allowed, state, decisions }
}

describe("GCRA window maths", () => {
  test("the largest configurable limit is one call per microsecond: its interval is 1 µs, and one more call per minute would need less", () => {
    expect(gcraParams(MAX_LIMIT_PER_MINUTE, WINDOW_MS).intervalUs).toBe(1)
    expect(() => gcraParams(MAX_LIMIT_PER_MINUTE + 1, WINDOW_MS)).toThrow(RangeError)
  })

  test("a fresh key gets exactly `limit` calls at one instant, counting down remaining", () => {
    for (const limit of [1, 7, 60, 100, 999, 1000, 7919]) {
      const { allowed, decisions } = burst(limit + 5, T0, limit)
      expect({ limit, allowed }).toEqual({ limit, allowed: limit })
      expect(decisions[0]).toMatchObject({ allowed: true, limit, remaining: limit - 1, retryAfterMs: 0 })
      expect(decisions[limit - 1]).toMatchObject({ allowed: true, remaining: 0 })
      expect(decisions[limit]).toMatchObject({ allowed: false, remaining: 0 })
    }
  })

  test("100/min: the refused call is told to wait exactly one interval (600 ms), and the whole limit returns after 60 s", () => {
    const { state, decisions } = burst(101, T0, 100)
    expect(decisions[99]).toEqual({ allowed: true, limit: 100, remaining: 0, resetMs: 60_000, retryAfterMs: 0 })
    expect(decisions[100]).toEqual({ allowed: false, limit: 100, remaining: 0, resetMs: 60_000, retryAfterMs: 600 })
    // One millisecond early is still refused; at the boundary it passes.
    expect(gcra(T0 + 599, state, 100).decision).toMatchObject({ allowed: false, retryAfterMs: 1 })
    expect(gcra(T0 + 600, state, 100).decision).toMatchObject({ allowed: true, remaining: 0 })
    expect(burst(101, T0 + 60_000, 100, state).allowed).toBe(100)
  })

  test("a refused call costs nothing: hammering while limited does not push the reset further", () => {
    const { state } = burst(100, T0, 100)
    const after = burst(1000, T0 + 100, 100, state)
    expect(after.allowed).toBe(0)
    expect(after.state).toEqual(state)
  })

  test("refill is gradual: after 30 s half the limit is back", () => {
    const { state } = burst(100, T0, 100)
    expect(burst(100, T0 + 30_000, 100, state).allowed).toBe(50)
  })

  test("a steady rate at the limit is never refused; faster is", () => {
    let state: GcraState | undefined
    let refused = 0
    for (let i = 0; i < 1000; i++) {
      const r = gcra(T0 + i * 600, state, 100)
      state = r.state
      if (!r.decision.allowed) refused++
    }
    expect(refused).toBe(0)
    // Burst 100, then one every 500 ms for a minute: only the 600 ms rate is sustained.
    const first = burst(100, T0, 100)
    let s = first.state
    let ok = 0
    for (let t = 500; t <= 60_000; t += 500) {
      const r = gcra(T0 + t, s, 100)
      s = r.state
      if (r.decision.allowed) ok++
    }
    expect(ok).toBe(100)
  })

  test("odd limits stay exact: the interval is a whole number of µs and limit × interval covers a minute", () => {
    for (const limit of [7, 13, 997, 7919]) {
      const { intervalUs, periodUs } = gcraParams(limit)
      expect(Number.isInteger(intervalUs)).toBe(true)
      expect(periodUs).toBe(intervalUs * limit)
      expect(periodUs).toBeGreaterThanOrEqual(60_000_000)
      expect(periodUs - 60_000_000).toBeLessThan(limit)
    }
  })

  test("a lowered limit keeps the time already used: half of 100 spent leaves half of 10", () => {
    const { state } = burst(50, T0, 100)
    expect(burst(20, T0, 10, state).allowed).toBe(5)
  })

  test("a raised limit keeps the time already used too: a spent 10/min key waits, then refills at 100/min", () => {
    const { state } = burst(10, T0, 10)
    // 10 calls at 10/min pushed the TAT a minute ahead; at 100/min a minute ahead is the whole burst.
    expect(burst(200, T0, 100, state).allowed).toBe(0)
    expect(burst(200, T0 + 6_000, 100, state).allowed).toBe(10)
  })

  test("idle state decides exactly like no state, so it can be dropped", () => {
    const { state } = burst(100, T0, 100)
    expect(isIdle(T0 + 59_999, state!)).toBe(false)
    expect(isIdle(T0 + 60_000, state!)).toBe(true)
    expect(gcra(T0 + 60_000, state, 100).decision).toEqual(gcra(T0 + 60_000, undefined, 100).decision)
  })

  test("limits outside 1 … 60,000,000 per minute are refused as a programming error", () => {
    for (const bad of [0, -1, 1.5, Number.NaN, 60_000_001]) expect(() => gcra(T0, undefined, bad)).toThrow(RangeError)
  })
})
