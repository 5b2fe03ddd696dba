// Redis keys carry TTLs, so idle keys and a crashed instance's leases vanish
// without a sweeper.
import { afterEach, describe, expect, test } from "bun:test"
import { RedisClient } from "bun"
import { Clock, Effect, Layer, ManagedRuntime } from "effect"
import { ConcurrencyLimiter } from "../../src/modules/limits/concurrency"
import { RateLimiter } from "../../src/modules/limits/rate-limiter"
import { LimitsBackend } from "../../src/modules/limits/backend"
import { manualClock } from "../support/clock"
import { freshRedisPrefix, redisUrl } from "../support/redis"

const closers: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const c of closers.splice(0)) await c()
})

describe.skipIf(!redisUrl)("limits on Redis: expiry", () => {
  test("a rate key lives until its limit is whole again; a lease set until its newest lease lapses", async () => {
    const prefix = freshRedisPrefix()
    const runtime = ManagedRuntime.make(
      Layer.mergeAll(RateLimiter.layer, ConcurrencyLimiter.make(200_000)).pipe(
        Layer.provideMerge(LimitsBackend.redis(redisUrl!, 2000, prefix)),
        Layer.provideMerge(Layer.succeed(Clock.Clock, manualClock())),
      ),
    )
    const raw = new RedisClient(redisUrl!)
    closers.push(() => runtime.dispose(), () => raw.close())

    await runtime.runPromise(RateLimiter.use((l) => Effect.all(Array.from({ length: 10 }, () => l.check("key_a", 100)))))
    // 10 calls at 100/min put the arrival time 6 s ahead.
    const rateTtl = Number(await raw.send("PTTL", [`${prefix}rl:key_a`]))
    expect(rateTtl).toBeGreaterThan(5_000)
    expect(rateTtl).toBeLessThanOrEqual(6_000)

    await runtime.runPromise(ConcurrencyLimiter.use((c) => c.acquire("key_a", 5)))
    const leaseTtl = Number(await raw.send("PTTL", [`${prefix}cc:key_a`]))
    expect(leaseTtl).toBeGreaterThan(190_000)
    expect(leaseTtl).toBeLessThanOrEqual(200_000)
  })

  test("a script the server forgot (SCRIPT FLUSH) is sent again with EVAL", async () => {
    const runtime = ManagedRuntime.make(RateLimiter.layer.pipe(Layer.provideMerge(LimitsBackend.redis(redisUrl!, 2000, freshRedisPrefix()))))
    const raw = new RedisClient(redisUrl!)
    closers.push(() => runtime.dispose(), () => raw.close())
    await raw.send("SCRIPT", ["FLUSH"])
    const d = await runtime.runPromise(RateLimiter.use((l) => l.check("key_a", 5)))
    expect(d).toMatchObject({ allowed: true, remaining: 4 })
  })
})
