// Clocks tests move instead of sleeping. `manualClock` stands still unless
// moved (exact times in assertions); `shiftableClock` runs with real time plus
// an offset (for code that also waits for real).
import { Clock, Duration, Effect } from "effect"

export type ManualClock = Clock.Clock & { readonly advance: (ms: number) => void; readonly set: (ms: number) => void; readonly now: () => number }

export const manualClock = (start = Date.UTC(2026, 10, 15, 12, 0, 0)): ManualClock => {
  let now = start
  return {
    currentTimeMillisUnsafe: () => now,
    currentTimeMillis: Effect.sync(() => now),
    currentTimeNanosUnsafe: () => BigInt(now) * 1_000_000n,
    currentTimeNanos: Effect.sync(() => BigInt(now) * 1_000_000n),
    monotonicTimeNanosUnsafe: () => process.hrtime.bigint(),
    monotonicTimeNanos: Effect.sync(() => process.hrtime.bigint()),
    // Sleeps (retry backoff) still take real time; only the wall clock is manual.
    sleep: (d) => Effect.promise(() => Bun.sleep(Duration.toMillis(Duration.fromInputUnsafe(d)))),
    advance: (ms) => void (now += ms),
    set: (ms) => void (now = ms),
    now: () => now,
  }
}

export const shiftableClock = () => {
  const live = Clock.Clock.defaultValue()
  let offsetMs = 0
  const clock: Clock.Clock = {
    currentTimeMillisUnsafe: () => live.currentTimeMillisUnsafe() + offsetMs,
    currentTimeMillis: Effect.sync(() => live.currentTimeMillisUnsafe() + offsetMs),
    currentTimeNanosUnsafe: () => live.currentTimeNanosUnsafe() + BigInt(offsetMs) * 1_000_000n,
    currentTimeNanos: Effect.sync(() => live.currentTimeNanosUnsafe() + BigInt(offsetMs) * 1_000_000n),
    monotonicTimeNanosUnsafe: () => live.monotonicTimeNanosUnsafe(),
    monotonicTimeNanos: live.monotonicTimeNanos,
    sleep: (d) => live.sleep(d),
  }
  return { clock, advance: (ms: number) => void (offsetMs += ms) }
}
