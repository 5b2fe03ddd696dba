// The limiter backend is chosen by configuration, and impossible choices stop
// start-up with one line naming the variable.
import { afterEach, describe, expect, test } from "bun:test"
import { makeRuntime } from "../../src/app/layers"
import { ConcurrencyLimiter } from "../../src/modules/limits/concurrency"
import { RateLimiter } from "../../src/modules/limits/rate-limiter"
import { ConfigInvalid, describeConfig, loadConfig } from "../../src/platform/config/config"
import { testConfig } from "../support/app"
import { dialects, freshDatabase } from "../support/db"
import { redisUrl } from "../support/redis"

const problemsOf = (env: Record<string, string>) => {
  try {
    loadConfig(env)
    return []
  } catch (e) {
    if (e instanceof ConfigInvalid) return e.problems
    throw e
  }
}

const runtimes: Array<ReturnType<typeof makeRuntime>> = []
afterEach(async () => {
  for (const r of runtimes.splice(0)) await r.dispose()
})

describe("limits configuration", () => {
  test("defaults: memory backend, 200 s lease TTL", () => {
    const c = loadConfig({})
    expect({ backend: c.rateLimitBackend, ttl: c.concurrencyLeaseTtlMs, redis: c.redisUrl }).toEqual({ backend: "memory", ttl: 200_000, redis: undefined })
  })

  test("redis without REDIS_URL, or postgres on a SQLite database, is one line naming the variable", () => {
    expect(problemsOf({ RATE_LIMIT_BACKEND: "redis" })).toEqual(["REDIS_URL: required when RATE_LIMIT_BACKEND=redis"])
    expect(problemsOf({ RATE_LIMIT_BACKEND: "postgres" })).toEqual(["RATE_LIMIT_BACKEND: postgres needs DATABASE_URL=postgres://… (the database is SQLite); use memory or redis"])
    expect(problemsOf({ RATE_LIMIT_BACKEND: "postgres", DATABASE_URL: "postgres://u:p@db:5432/tdk" })).toEqual([])
    expect(problemsOf({ RATE_LIMIT_BACKEND: "dynamo" })[0]).toStartWith("RATE_LIMIT_BACKEND: expected one of memory, postgres, redis")
  })

  test("a bad REDIS_URL is refused without echoing it; config check redacts it", () => {
    expect(problemsOf({ RATE_LIMIT_BACKEND: "redis", REDIS_URL: "http://:pw-hunter2@r:6379" })).toEqual(["REDIS_URL: expected a redis:// or rediss:// URL"])
    const rows = describeConfig(loadConfig({ RATE_LIMIT_BACKEND: "redis", REDIS_URL: "redis://:pw-hunter2@r:6379" }))
    expect(JSON.stringify(rows)).not.toContain("hunter2")
  })

  test("the application runtime carries the configured backend", async () => {
    const memory = makeRuntime(testConfig())
    runtimes.push(memory)
    expect(await memory.runPromise(RateLimiter.useSync((l) => l.backend))).toBe("memory")
    expect(await memory.runPromise(ConcurrencyLimiter.useSync((c) => c.backend))).toBe("memory")
    if (redisUrl) {
      const redis = makeRuntime(testConfig({ RATE_LIMIT_BACKEND: "redis", REDIS_URL: redisUrl }))
      runtimes.push(redis)
      expect(await redis.runPromise(RateLimiter.use((l) => l.check("key_cfg", 5)))).toMatchObject({ allowed: true, remaining: 4 })
      expect(await redis.runPromise(ConcurrencyLimiter.useSync((c) => c.backend))).toBe("redis")
    }
  })

  test.skipIf(!dialects.includes("postgres"))("RATE_LIMIT_BACKEND=postgres uses the application's migrated database", async () => {
    const db = await freshDatabase("postgres")
    const runtime = makeRuntime(testConfig({ DATABASE_URL: db.url, RATE_LIMIT_BACKEND: "postgres" }), { database: db.handle })
    try {
      expect(await runtime.runPromise(RateLimiter.use((l) => l.check("key_cfg", 5)))).toMatchObject({ allowed: true, remaining: 4 })
      expect(await runtime.runPromise(ConcurrencyLimiter.use((c) => c.acquire("key_cfg", 1)))).toMatchObject({ keyId: "key_cfg" })
      expect(await runtime.runPromise(ConcurrencyLimiter.useSync((c) => c.backend))).toBe("postgres")
    } finally {
      await runtime.dispose()
      await db.close()
    }
  })
})
