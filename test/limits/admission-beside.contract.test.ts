// Admission asked beside the call's first steps (limits/admission-beside.ts),
// on every backend: the slot is held and freed as withAdmission holds it, a
// refusal is the call's answer even when the call failed first, and a key
// refused lately is admitted before its call starts any work.
import { afterEach, describe, expect, test } from "bun:test"
import { Cause, Deferred, Effect, Exit, Fiber } from "effect"
import { withAdmissionBeside } from "../../src/modules/limits/admission-beside"
import { ConcurrencyLimiter, freeSlotEarly, REFUSAL_MEMORY_MS } from "../../src/modules/limits/concurrency"
import { backends, DEAD_PASSWORD, deadHarness, harness, type Harness } from "./backends"

let h: Harness | undefined
afterEach(async () => {
  await h?.close()
  h = undefined
})

const inFlight = (keyId: string) => ConcurrencyLimiter.use((c) => c.inFlight(keyId))

/** The call's own work: counts its starts, then awaits its admission (as the gateway does before signing). */
const work = (started: { n: number }, after: Effect.Effect<unknown, unknown, ConcurrencyLimiter> = Effect.void) => (admitted: Effect.Effect<unknown, unknown>) =>
  Effect.gen(function* () {
    started.n++
    yield* admitted
    yield* after
    return "done" as const
  })

for (const backend of backends) {
  // The in-memory limiter answers at once: its calls start only once admitted.
  const beside = backend !== "memory"
  describe(`admission beside the call: ${backend}`, () => {
    test("an admitted call holds a slot while it runs and frees it on success, failure, defect and interruption", async () => {
      h = await harness(backend)
      const started = { n: 0 }
      const ran = await h.runtime.runPromise(withAdmissionBeside("key_a", 1000, 3, work(started, Effect.flatMap(inFlight("key_a"), (n) => Effect.sync(() => expect(n).toBe(1))))))
      expect(ran).toMatchObject({ value: "done", decision: { allowed: true, limit: 1000, remaining: 999 } })
      expect(await h.runtime.runPromise(inFlight("key_a"))).toBe(0)

      // Failing before it awaited its admission: the slot granted meanwhile is freed too.
      const failed = await h.runtime.runPromise(Effect.exit(withAdmissionBeside("key_a", 1000, 3, () => Effect.fail("agent unknown" as const))))
      expect(failed).toEqual(Exit.fail("agent unknown"))
      expect(await h.runtime.runPromise(inFlight("key_a"))).toBe(0)

      const died = await h.runtime.runPromise(Effect.exit(withAdmissionBeside("key_a", 1000, 3, () => Effect.die(new Error("bug")))))
      expect(Exit.isFailure(died) && Cause.hasDies(died.cause)).toBe(true)
      expect(await h.runtime.runPromise(inFlight("key_a"))).toBe(0)

      const waiting = await h.runtime.runPromise(Deferred.make<void>())
      const fiber = h.runtime.runFork(withAdmissionBeside("key_a", 1000, 3, work(started, Deferred.succeed(waiting, undefined).pipe(Effect.andThen(Effect.never)))))
      await h.runtime.runPromise(Deferred.await(waiting))
      expect(await h.runtime.runPromise(inFlight("key_a"))).toBe(1)
      await h.runtime.runPromise(Fiber.interrupt(fiber))
      expect(await h.runtime.runPromise(inFlight("key_a"))).toBe(0)
    })

    test("a slot freed early is freed once: another call's slot stays taken", async () => {
      h = await harness(backend)
      const other = await h.runtime.runPromise(
        withAdmissionBeside("key_a", 1000, 1, (admitted) =>
          Effect.gen(function* () {
            yield* admitted
            yield* freeSlotEarly
            yield* freeSlotEarly
            return yield* ConcurrencyLimiter.use((c) => c.admit("key_a", 1000, 1))
          }),
        ),
      )
      expect(await h.runtime.runPromise(inFlight("key_a"))).toBe(1)
      await h.runtime.runPromise(ConcurrencyLimiter.use((c) => c.release(other.value.lease)))
      expect(await h.runtime.runPromise(inFlight("key_a"))).toBe(0)
    })

    test("a refused admission is the answer, even for a call that failed before awaiting it", async () => {
      h = await harness(backend)
      await h.runtime.runPromise(ConcurrencyLimiter.use((c) => c.admit("key_a", 1, 10)))
      // Another instance used the key's one call a minute: this instance has refused nothing yet.
      const failedFirst = await h.runtime.runPromise(Effect.flip(withAdmissionBeside("key_a", 1, 10, () => Effect.fail("quota used up" as const))))
      expect(failedFirst).toMatchObject({ _tag: "RateLimited", limit: 1, remaining: 0 })

      const held = await h.runtime.runPromise(ConcurrencyLimiter.use((c) => c.admit("key_b", 1000, 1)))
      const started = { n: 0 }
      const refused = await h.runtime.runPromise(Effect.flip(withAdmissionBeside("key_b", 1000, 1, work(started, Effect.die(new Error("must not run past the admission"))))))
      expect(refused).toMatchObject({ _tag: "ConcurrencyLimitExceeded", limit: 1 })
      // Beside a round trip the call started, and went no further than awaiting its admission.
      expect(started.n).toBe(beside ? 1 : 0)
      expect(await h.runtime.runPromise(inFlight("key_b"))).toBe(1)
      await h.runtime.runPromise(ConcurrencyLimiter.use((c) => c.release(held.lease)))
    })

    test("a refusal ends the call wherever it is: a call still busy before its admission step is interrupted", async () => {
      h = await harness(backend)
      const held = await h.runtime.runPromise(ConcurrencyLimiter.use((c) => c.admit("key_c", 1000, 1)))
      const interrupted = { n: 0 }
      // Busy for ever before it would await its admission (a marketplace that does not answer).
      const busy = () => Effect.never.pipe(Effect.onInterrupt(() => Effect.sync(() => void interrupted.n++)))
      const refused = await h.runtime.runPromise(Effect.flip(withAdmissionBeside("key_c", 1000, 1, busy).pipe(Effect.timeout("5 seconds"))))
      expect(refused).toMatchObject({ _tag: "ConcurrencyLimitExceeded", limit: 1 })
      expect(interrupted.n).toBe(beside ? 1 : 0)
      await h.runtime.runPromise(ConcurrencyLimiter.use((c) => c.release(held.lease)))
      expect(await h.runtime.runPromise(inFlight("key_c"))).toBe(0)
    })

    test("a key refused lately is admitted before its call starts; past the memory, beside it again", async () => {
      h = await harness(backend)
      const started = { n: 0 }
      await h.runtime.runPromise(withAdmissionBeside("key_a", 1, 10, work(started)))
      expect(started.n).toBe(1)
      // The first refusal: beside a round trip, the call had started.
      expect(await h.runtime.runPromise(Effect.flip(withAdmissionBeside("key_a", 1, 10, work(started))))).toMatchObject({ _tag: "RateLimited" })
      const afterFirst = beside ? 2 : 1
      expect(started.n).toBe(afterFirst)
      // Refused lately: refused again before any work.
      expect(await h.runtime.runPromise(Effect.flip(withAdmissionBeside("key_a", 1, 10, work(started))))).toMatchObject({ _tag: "RateLimited" })
      expect(started.n).toBe(afterFirst)
      if (beside) expect(await h.runtime.runPromise(ConcurrencyLimiter.use((c) => c.refusedLately("key_a")))).toBe(true)
      // Another key is not affected.
      expect(await h.runtime.runPromise(ConcurrencyLimiter.use((c) => c.refusedLately("key_b")))).toBe(false)
      await h.runtime.runPromise(withAdmissionBeside("key_b", 1, 10, work(started)))
      expect(started.n).toBe(afterFirst + 1)
      // Once the memory has passed (and the minute with it), the key is admitted as any other.
      h.clock.advance(REFUSAL_MEMORY_MS + 1)
      expect(await h.runtime.runPromise(ConcurrencyLimiter.use((c) => c.refusedLately("key_a")))).toBe(false)
      const again = await h.runtime.runPromise(withAdmissionBeside("key_a", 1, 10, work(started)))
      expect(again.value).toBe("done")
      expect(started.n).toBe(afterFirst + 2)
    })
  })
}

for (const backend of ["postgres", "redis"] as const) {
  describe.skipIf(!backends.includes(backend))(`admission beside the call, ${backend} down`, () => {
    test("the call fails as LimiterUnavailable; the next calls of any key are admitted before any work", async () => {
      h = await deadHarness(backend)
      const started = { n: 0 }
      const first = await h.runtime.runPromise(Effect.flip(withAdmissionBeside("key_a", 100, 10, work(started))))
      expect(first).toMatchObject({ _tag: "LimiterUnavailable", backend })
      expect(JSON.stringify(first)).not.toContain(DEAD_PASSWORD)
      expect(started.n).toBe(1)
      expect(await h.runtime.runPromise(Effect.flip(withAdmissionBeside("key_b", 100, 10, work(started))))).toMatchObject({ _tag: "LimiterUnavailable" })
      expect(started.n).toBe(1)
    })
  })
}
