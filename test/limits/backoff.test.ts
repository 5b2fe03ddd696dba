// The lockout schedule as a pure function: counts, doubling, cap, forgetting.
import { describe, expect, test } from "bun:test"
import { backoff, backoffWait, lockMs, type BackoffRule, type BackoffState } from "../../src/modules/limits/backoff"

const T0 = Date.UTC(2026, 10, 15, 12)
const rule: BackoffRule = { free: 3, baseMs: 60_000, maxMs: 900_000, forgetMs: 900_000 }

/** Attempts at the given times (ms after T0), returning each decision. */
const run = (times: ReadonlyArray<number>, start?: BackoffState) => {
  let state = start
  return times.map((t) => {
    const r = backoff(T0 + t, state, rule)
    state = r.state
    return r.decision
  })
}

describe("backoff", () => {
  test("`free` attempts pass; the free-th locks for the base, and each attempt after a lock doubles it up to the cap", () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((n) => lockMs(n, rule))).toEqual([0, 0, 60_000, 120_000, 240_000, 480_000, 900_000, 900_000])
    const ds = run([0, 1, 2, 3])
    expect(ds.map((d) => d.allowed)).toEqual([true, true, true, false])
    expect(ds[3]!.retryAfterMs).toBe(60_000 - 1)
    // As soon as the lock ends one attempt passes and locks for twice as long.
    const again = run([0, 1, 2, 60_002, 60_003, 60_002 + 120_000])
    expect(again.map((d) => d.allowed)).toEqual([true, true, true, true, false, true])
    expect(again[4]!.retryAfterMs).toBe(120_000 - 1)
  })

  test("a refused attempt changes nothing", () => {
    const locked = backoff(T0 + 2, backoff(T0 + 1, backoff(T0, undefined, rule).state, rule).state, rule).state
    const r = backoff(T0 + 10, locked, rule)
    expect(r.decision.allowed).toBe(false)
    expect(r.state).toBe(locked)
  })

  test("the count is forgotten a window after the last attempt or lock, and not before", () => {
    const s = backoff(T0, backoff(T0, undefined, rule).state, rule).state!
    expect(s.attempts).toBe(2)
    // Just before the forget time a third attempt still locks; at it, the count starts over.
    expect(backoff(T0 + 899_999, s, rule).state!.attempts).toBe(3)
    expect(backoff(T0 + 900_000, s, rule).state!.attempts).toBe(1)
    // After a lock, the window runs from the lock's end.
    const ds = run([0, 1, 2, 60_000 + 899_999, 60_000 + 899_999 + 1])
    expect(ds.map((d) => d.allowed)).toEqual([true, true, true, true, false])
  })

  test("wait reads without counting", () => {
    let s: BackoffState | undefined
    for (let i = 0; i < 3; i++) s = backoff(T0, s, rule).state
    expect(backoffWait(T0, s, rule)).toBe(60_000)
    expect(backoffWait(T0 + 59_999, s, rule)).toBe(1)
    expect(backoffWait(T0 + 60_000, s, rule)).toBe(0)
    expect(backoffWait(T0, undefined, rule)).toBe(0)
  })
})
