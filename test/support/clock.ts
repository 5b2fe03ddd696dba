// A clock that reads real time plus an offset the test moves forward, so
// expiries can be crossed without sleeping while real waits still work.
import { Clock, Effect } from "effect"

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
