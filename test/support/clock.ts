// A clock tests move by hand: expiries, grace periods and windows are read
// from it, so no test sleeps to let time pass.
import { Duration, Effect, type Clock } from "effect"

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
