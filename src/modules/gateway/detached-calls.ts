// Work that outlives its request: a call made with an Idempotency-Key runs to
// its end even when the client goes away (idempotency.ts). The fibers
// are kept here so that shutdown can wait for them, as it waits for open
// requests, instead of cutting a paid call short and leaving its key claimed.
import { Context, Duration, Effect, Fiber, Layer } from "effect"

export type DetachedCallsShape = {
  /** Starts `effect` at once in a fiber that no request interruption reaches. */
  readonly fork: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<Fiber.Fiber<A, E>, never, R>
  /** Waits up to `timeoutMs` for every running call; how many were still running when it gave up. */
  readonly drain: (timeoutMs: number) => Effect.Effect<number>
}

export class DetachedCalls extends Context.Service<DetachedCalls, DetachedCallsShape>()("tdk/DetachedCalls") {
  static readonly layer = Layer.sync(DetachedCalls, () => {
    const running = new Set<Fiber.Fiber<unknown, unknown>>()
    return {
      fork: (effect) =>
        Effect.map(Effect.forkDetach(effect, { startImmediately: true }), (fiber) => {
          running.add(fiber)
          fiber.addObserver(() => running.delete(fiber))
          return fiber
        }),
      drain: (timeoutMs) =>
        Effect.gen(function* () {
          if (running.size === 0) return 0
          yield* Fiber.awaitAll([...running]).pipe(Effect.timeoutOption(Duration.millis(Math.max(0, timeoutMs))))
          return running.size
        }),
    }
  })
}
