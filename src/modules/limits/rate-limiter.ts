// Per-key calls-per-minute limit (GCRA, see gcra.ts). Time comes from
// Effect's Clock, so tests move it instead of sleeping.
import { Clock, Context, Effect, Layer } from "effect"
import { RateLimited, type LimiterUnavailable } from "./errors"
import type { GcraDecision } from "./gcra"
import type { Decision, RateLimiterShape } from "./model"
import { LimitsBackend } from "./backend"

const seconds = (ms: number) => Math.ceil(ms / 1000)

export const toDecision = (d: GcraDecision): Decision => ({
  allowed: d.allowed,
  limit: d.limit,
  remaining: d.remaining,
  resetSeconds: seconds(d.resetMs),
  retryAfterSeconds: seconds(d.retryAfterMs),
})

export class RateLimiter extends Context.Service<RateLimiter, RateLimiterShape>()("tdk/RateLimiter") {
  static readonly layer = Layer.effect(
    RateLimiter,
    Effect.gen(function* () {
      const store = yield* LimitsBackend
      return {
        backend: store.backend,
        check: Effect.fn("RateLimiter.check")(function* (keyId: string, limitPerMinute: number) {
          const now = yield* Clock.currentTimeMillis
          return toDecision(yield* store.gcra(keyId, limitPerMinute, now))
        }),
      }
    }),
  )
}

/** Counts one call for the key, or fails with RateLimited (429) carrying the decision. */
export const enforceRateLimit = (keyId: string, limitPerMinute: number): Effect.Effect<Decision, RateLimited | LimiterUnavailable, RateLimiter> =>
  Effect.gen(function* () {
    const decision = yield* (yield* RateLimiter).check(keyId, limitPerMinute)
    if (!decision.allowed) {
      return yield* new RateLimited({
        limit: decision.limit,
        remaining: decision.remaining,
        resetSeconds: decision.resetSeconds,
        retryAfterSeconds: decision.retryAfterSeconds,
      })
    }
    return decision
  })
