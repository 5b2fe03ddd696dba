import { expect, test } from "bun:test"
import { Deferred, Effect, Exit, Fiber } from "effect"
import { DetachedCalls } from "../../src/modules/gateway/detached-calls"

const run = <A, E>(effect: Effect.Effect<A, E, DetachedCalls>) => Effect.runPromise(effect.pipe(Effect.provide(DetachedCalls.layer)))

test("drain waits for running calls and reports none left when they finish in time", async () => {
  const result = await run(
    Effect.gen(function* () {
      const calls = yield* DetachedCalls
      const done = yield* Deferred.make<void>()
      const fiber = yield* calls.fork(Effect.sleep("30 millis").pipe(Effect.andThen(Deferred.succeed(done, undefined))))
      const left = yield* calls.drain(5_000)
      return { left, finished: yield* Deferred.isDone(done), exit: Exit.isSuccess(yield* Fiber.await(fiber)) }
    }),
  )
  expect(result).toEqual({ left: 0, finished: true, exit: true })
})

test("drain gives up at its deadline and says how many calls are still running", async () => {
  const left = await run(
    Effect.gen(function* () {
      const calls = yield* DetachedCalls
      yield* calls.fork(Effect.never)
      yield* calls.fork(Effect.never)
      yield* calls.fork(Effect.void) // finishes at once, never counted
      return yield* calls.drain(20)
    }),
  )
  expect(left).toBe(2)
})

test("a forked call is not interrupted with the fiber that started it", async () => {
  const survived = await run(
    Effect.gen(function* () {
      const calls = yield* DetachedCalls
      const done = yield* Deferred.make<void>()
      const parent = yield* Effect.forkChild(calls.fork(Effect.sleep("20 millis").pipe(Effect.andThen(Deferred.succeed(done, undefined)))).pipe(Effect.andThen(Effect.never)))
      yield* Effect.sleep("1 millis")
      yield* Fiber.interrupt(parent)
      yield* calls.drain(5_000)
      return yield* Deferred.isDone(done)
    }),
  )
  expect(survived).toBe(true)
})
