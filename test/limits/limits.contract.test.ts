// One contract for every limits backend: the same accuracy, independence,
// expiry and release guarantees whether state lives in memory, Postgres or
// Redis. Time moves on a manual clock; nothing sleeps to pass a window.
import { afterEach, describe, expect, test } from "bun:test"
import { Cause, Deferred, Effect, Exit, Fiber } from "effect"
import { ConcurrencyLimiter, freeSlotEarly, withAdmission } from "../../src/modules/limits/concurrency"
import { enforceRateLimit, RateLimiter } from "../../src/modules/limits/rate-limiter"
import { backends, DEAD_PASSWORD, deadHarness, harness, LEASE_TTL_MS, type Harness } from "./backends"

let h: Harness | undefined
afterEach(async () => {
  await h?.close()
  h = undefined
})

const checks = (keyId: string, limit: number, n: number) =>
  Effect.gen(function* () {
    const limiter = yield* RateLimiter
    return yield* Effect.all(Array.from({ length: n }, () => limiter.check(keyId, limit)), { concurrency: "unbounded" })
  })

const allowedOf = (ds: ReadonlyArray<{ allowed: boolean }>) => ds.filter((d) => d.allowed).length

const inFlight = (keyId: string) => ConcurrencyLimiter.use((c) => c.inFlight(keyId))

/** Runs `effect` admitted on key_a at 1,000/min with `limit` slots. */
const admitted = <A, E, R>(limit: number, effect: Effect.Effect<A, E, R>) => withAdmission("key_a", 1000, limit, () => effect)

for (const backend of backends) {
  describe(`limits contract: ${backend}`, () => {
    test("100/min under 300 concurrent checks allows exactly 100", async () => {
      h = await harness(backend)
      const ds = await h.runtime.runPromise(checks("key_a", 100, 300))
      expect(allowedOf(ds)).toBe(100)
      const refused = ds.filter((d) => !d.allowed)
      expect(refused.every((d) => d.remaining === 0 && d.retryAfterSeconds >= 1 && d.resetSeconds <= 60)).toBe(true)
      expect(ds.filter((d) => d.allowed).map((d) => d.remaining).sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i))
    })

    test("decisions carry the same numbers on every backend", async () => {
      h = await harness(backend)
      const first = await h.runtime.runPromise(RateLimiter.use((l) => l.check("key_a", 100)))
      expect(first).toEqual({ allowed: true, limit: 100, remaining: 99, resetSeconds: 1, retryAfterSeconds: 0 })
      await h.runtime.runPromise(checks("key_a", 100, 99))
      const refused = await h.runtime.runPromise(RateLimiter.use((l) => l.check("key_a", 100)))
      expect(refused).toEqual({ allowed: false, limit: 100, remaining: 0, resetSeconds: 60, retryAfterSeconds: 1 })
      const failure = await h.runtime.runPromise(Effect.flip(enforceRateLimit("key_a", 100)))
      expect(failure).toMatchObject({ _tag: "RateLimited", limit: 100, remaining: 0, resetSeconds: 60, retryAfterSeconds: 1 })
    })

    test("after the window passes on the clock, the full limit is allowed again; just before, only what refilled", async () => {
      h = await harness(backend)
      expect(allowedOf(await h.runtime.runPromise(checks("key_a", 100, 150)))).toBe(100)
      h.clock.advance(599)
      expect(allowedOf(await h.runtime.runPromise(checks("key_a", 100, 10)))).toBe(0)
      h.clock.advance(1)
      expect(allowedOf(await h.runtime.runPromise(checks("key_a", 100, 10)))).toBe(1)
      h.clock.advance(60_000)
      expect(allowedOf(await h.runtime.runPromise(checks("key_a", 100, 300)))).toBe(100)
    })

    test("two keys are independent", async () => {
      h = await harness(backend)
      const [a, b] = await h.runtime.runPromise(Effect.all([checks("key_a", 100, 150), checks("key_b", 10, 50)], { concurrency: "unbounded" }))
      expect({ a: allowedOf(a), b: allowedOf(b) }).toEqual({ a: 100, b: 10 })
      expect(allowedOf(await h.runtime.runPromise(checks("key_c", 100, 100)))).toBe(100)
    })

    test("concurrency: limit 10 under 50 simultaneous acquires grants exactly 10", async () => {
      h = await harness(backend)
      const exits = await h.runtime.runPromise(
        ConcurrencyLimiter.use((c) => Effect.all(Array.from({ length: 50 }, () => Effect.exit(c.acquire("key_a", 10))), { concurrency: "unbounded" })),
      )
      const granted = exits.filter(Exit.isSuccess)
      const refusals = exits.filter(Exit.isFailure).map((e) => Cause.findErrorOption(e.cause))
      expect(granted.length).toBe(10)
      expect(refusals.every((r) => r._tag === "Some" && r.value._tag === "ConcurrencyLimitExceeded" && r.value.limit === 10)).toBe(true)
      expect(new Set(granted.map((e) => e.value.leaseId)).size).toBe(10)
      expect(await h.runtime.runPromise(inFlight("key_a"))).toBe(10)
      expect(await h.runtime.runPromise(inFlight("key_b"))).toBe(0)
      // Releasing one lets exactly one more in.
      await h.runtime.runPromise(ConcurrencyLimiter.use((c) => c.release(granted[0]!.value)))
      const again = await h.runtime.runPromise(
        ConcurrencyLimiter.use((c) => Effect.all(Array.from({ length: 5 }, () => Effect.exit(c.acquire("key_a", 10))), { concurrency: "unbounded" })),
      )
      expect(again.filter(Exit.isSuccess).length).toBe(1)
    })

    test("admission under 50 simultaneous calls (100/min, 10 slots) grants exactly 10; the other 40 are refused by concurrency and still count a rate step", async () => {
      h = await harness(backend)
      const exits = await h.runtime.runPromise(
        ConcurrencyLimiter.use((c) => Effect.all(Array.from({ length: 50 }, () => Effect.exit(c.admit("key_a", 100, 10))), { concurrency: "unbounded" })),
      )
      const granted = exits.filter(Exit.isSuccess)
      const refusals = exits.filter(Exit.isFailure).map((e) => Cause.findErrorOption(e.cause))
      expect(granted.length).toBe(10)
      expect(refusals.every((r) => r._tag === "Some" && r.value._tag === "ConcurrencyLimitExceeded" && r.value.limit === 10)).toBe(true)
      expect(new Set(granted.map((e) => e.value.lease.leaseId)).size).toBe(10)
      expect(granted.map((e) => e.value.decision.remaining).sort((a, b) => a - b)[0]).toBeGreaterThanOrEqual(50)
      expect(await h.runtime.runPromise(inFlight("key_a"))).toBe(10)
      // 50 rate steps counted: 50 of 100 left.
      expect(await h.runtime.runPromise(RateLimiter.use((l) => l.check("key_a", 100)))).toMatchObject({ allowed: true, remaining: 49 })
    })

    test("admission refused by rate takes no slot and answers with the rate decision", async () => {
      h = await harness(backend)
      const held = await h.runtime.runPromise(ConcurrencyLimiter.use((c) => Effect.all(Array.from({ length: 3 }, () => c.admit("key_a", 3, 10)))))
      expect(held.map((a) => a.decision.remaining)).toEqual([2, 1, 0])
      const refused = await h.runtime.runPromise(Effect.flip(ConcurrencyLimiter.use((c) => c.admit("key_a", 3, 10))))
      expect(refused).toMatchObject({ _tag: "RateLimited", limit: 3, remaining: 0, retryAfterSeconds: 20 })
      expect(await h.runtime.runPromise(inFlight("key_a"))).toBe(3)
    })

    test("withAdmission holds a slot while running and frees it on success, failure and defect", async () => {
      h = await harness(backend)
      const during = await h.runtime.runPromise(admitted(3, inFlight("key_a")))
      expect(during).toBe(1)
      expect(await h.runtime.runPromise(inFlight("key_a"))).toBe(0)
      const failed = await h.runtime.runPromise(Effect.exit(admitted(3, Effect.fail("agent refused" as const))))
      expect(Exit.isFailure(failed)).toBe(true)
      expect(await h.runtime.runPromise(inFlight("key_a"))).toBe(0)
      const died = await h.runtime.runPromise(Effect.exit(admitted(3, Effect.die(new Error("bug")))))
      expect(Exit.isFailure(died) && Cause.hasDies(died.cause)).toBe(true)
      expect(await h.runtime.runPromise(inFlight("key_a"))).toBe(0)
    })

    test("withAdmission frees the slot when the call is interrupted (client gone) or times out", async () => {
      h = await harness(backend)
      const started = await h.runtime.runPromise(Deferred.make<void>())
      const fiber = h.runtime.runFork(admitted(2, Deferred.succeed(started, undefined).pipe(Effect.andThen(Effect.never))))
      await h.runtime.runPromise(Deferred.await(started))
      expect(await h.runtime.runPromise(inFlight("key_a"))).toBe(1)
      await h.runtime.runPromise(Fiber.interrupt(fiber))
      expect(await h.runtime.runPromise(inFlight("key_a"))).toBe(0)

      const timedOut = await h.runtime.runPromise(Effect.exit(admitted(2, Effect.never).pipe(Effect.timeout("50 millis"))))
      expect(Exit.isFailure(timedOut)).toBe(true)
      expect(await h.runtime.runPromise(inFlight("key_a"))).toBe(0)

      // Interrupting the whole program mid-call (Effect.interrupt) releases too.
      const interrupted = await h.runtime.runPromise(Effect.exit(admitted(2, Effect.interrupt)))
      expect(Exit.isFailure(interrupted) && Cause.hasInterrupts(interrupted.cause)).toBe(true)
      expect(await h.runtime.runPromise(inFlight("key_a"))).toBe(0)
    })

    test("a call may free its slot early; the slot another call then takes stays taken when the first call ends", async () => {
      h = await harness(backend)
      const other = await h.runtime.runPromise(
        admitted(
          1,
          Effect.gen(function* () {
            yield* freeSlotEarly
            expect(yield* inFlight("key_a")).toBe(0)
            yield* freeSlotEarly // a second ask changes nothing
            return yield* ConcurrencyLimiter.use((c) => c.admit("key_a", 1000, 1))
          }),
        ),
      )
      expect(await h.runtime.runPromise(inFlight("key_a"))).toBe(1)
      await h.runtime.runPromise(ConcurrencyLimiter.use((c) => c.release(other.lease)))
      expect(await h.runtime.runPromise(inFlight("key_a"))).toBe(0)
      // Outside an admitted call there is nothing to free.
      await h.runtime.runPromise(freeSlotEarly)
    })

    test("a lease never released (crashed instance) frees its slot once past its TTL", async () => {
      h = await harness(backend)
      await h.runtime.runPromise(ConcurrencyLimiter.use((c) => Effect.all([c.acquire("key_a", 2), c.acquire("key_a", 2)])))
      const refused = await h.runtime.runPromise(Effect.flip(ConcurrencyLimiter.use((c) => c.acquire("key_a", 2))))
      expect(refused).toMatchObject({ _tag: "ConcurrencyLimitExceeded", limit: 2, retryAfterSeconds: 1 })
      h.clock.advance(LEASE_TTL_MS - 1)
      expect(await h.runtime.runPromise(Effect.flip(ConcurrencyLimiter.use((c) => c.acquire("key_a", 2))))).toMatchObject({ _tag: "ConcurrencyLimitExceeded" })
      h.clock.advance(1)
      expect(await h.runtime.runPromise(inFlight("key_a"))).toBe(0)
      const exits = await h.runtime.runPromise(ConcurrencyLimiter.use((c) => Effect.all(Array.from({ length: 4 }, () => Effect.exit(c.acquire("key_a", 2))))))
      expect(exits.filter(Exit.isSuccess).length).toBe(2)
    })
  })
}

for (const backend of backends.filter((b): b is "postgres" | "redis" => b !== "memory")) {
  describe(`limits contract: ${backend} down`, () => {
    test("checks, acquires and slots fail with LimiterUnavailable, not a crash", async () => {
      h = await deadHarness(backend)
      const check = await h.runtime.runPromise(Effect.flip(RateLimiter.use((l) => l.check("key_a", 100))))
      expect(check).toMatchObject({ _tag: "LimiterUnavailable", backend, operation: "rate limit check" })
      const acquire = await h.runtime.runPromise(Effect.flip(ConcurrencyLimiter.use((c) => c.acquire("key_a", 10))))
      expect(acquire).toMatchObject({ _tag: "LimiterUnavailable", backend, operation: "concurrency acquire" })
      let ran = false
      const slot = await h.runtime.runPromise(Effect.flip(admitted(10, Effect.sync(() => (ran = true)))))
      expect(slot).toMatchObject({ _tag: "LimiterUnavailable", backend, operation: backend === "redis" ? "admit" : "rate limit check" })
      expect(ran).toBe(false)
      expect(JSON.stringify([check, acquire, slot])).not.toContain(DEAD_PASSWORD)
    })
  })
}
