// Where limiter state lives, chosen by RATE_LIMIT_BACKEND at start-up: this
// process's memory, the application's Postgres, or Redis. The rate limiter
// and the concurrency limiter share it (and its one Redis connection).
import { Context, Effect, Layer } from "effect"
import { AppConfig } from "../../platform/config/service"
import { Database } from "../../platform/db/database"
import type { LimiterUnavailable } from "./errors"
import type { GcraDecision } from "./gcra"
import { memoryBackoff, memoryGcra, memoryLeases } from "./memory"
import type { BackoffStore, LeaseStore, LimitsBackendKind } from "./model"
import { postgresBackoff, postgresGcra, postgresLeases, postgresSweep } from "./postgres"
import { openRedis, redisBackoff, redisGcra, redisLeases } from "./redis"
import type postgres from "postgres"

export type LimitsBackendShape = {
  readonly backend: LimitsBackendKind
  /** One GCRA step for the key at `nowMs` (epoch ms), atomically: `limit` per `windowMs` (default a minute). */
  readonly gcra: (keyId: string, limit: number, nowMs: number, windowMs?: number) => Effect.Effect<GcraDecision, LimiterUnavailable>
  readonly leases: LeaseStore
  /** Attempts with exponential lockout (login throttling). */
  readonly backoff: BackoffStore
  /**
   * Drops state that decides nothing any more (a rate row whose time has
   * passed, a forgotten lockout); returns how many. Redis keys expire and the
   * memory tables sweep themselves, so only Postgres has work to do.
   */
  readonly sweep: (nowMs: number) => Effect.Effect<number, LimiterUnavailable>
}

const nothingToSweep = () => Effect.succeed(0)

export const REDIS_KEY_PREFIX = "tdk:limits:"

export class LimitsBackend extends Context.Service<LimitsBackend, LimitsBackendShape>()("tdk/LimitsBackend") {
  static readonly memory = Layer.sync(LimitsBackend, () => {
    const table = memoryGcra()
    return { backend: "memory" as const, gcra: (k, l, now, w) => Effect.sync(() => table.check(k, l, now, w)), leases: memoryLeases(), backoff: memoryBackoff(), sweep: nothingToSweep }
  })

  static readonly postgres = (sql: postgres.Sql, timeoutMs: number) =>
    Layer.succeed(LimitsBackend, { backend: "postgres", gcra: postgresGcra(sql, timeoutMs), leases: postgresLeases(sql, timeoutMs), backoff: postgresBackoff(sql, timeoutMs), sweep: postgresSweep(sql, timeoutMs) })

  /** Opens its own Redis connection for the runtime's lifetime. */
  static readonly redis = (url: string, timeoutMs: number, prefix = REDIS_KEY_PREFIX) =>
    Layer.effect(
      LimitsBackend,
      Effect.acquireRelease(Effect.sync(() => openRedis(url, timeoutMs)), (link) => Effect.sync(() => link.close())).pipe(
        Effect.map((link) => ({ backend: "redis" as const, gcra: redisGcra(link, prefix), leases: redisLeases(link, prefix), backoff: redisBackoff(link, prefix), sweep: nothingToSweep })),
      ),
    )

  static readonly layer = Layer.unwrap(
    Effect.gen(function* () {
      const config = yield* AppConfig
      switch (config.rateLimitBackend) {
        case "memory":
          return LimitsBackend.memory
        case "redis":
          // loadConfig refuses RATE_LIMIT_BACKEND=redis without REDIS_URL.
          return LimitsBackend.redis(config.redisUrl!, config.limiterTimeoutMs)
        case "postgres": {
          const handle = yield* Database
          // loadConfig refuses this pairing; a hand-built Config must not reach a SQLite "postgres" limiter.
          if (handle.kind !== "postgres") return yield* Effect.die(new Error("RATE_LIMIT_BACKEND=postgres needs DATABASE_URL=postgres://…"))
          return LimitsBackend.postgres(handle.client, config.limiterTimeoutMs)
        }
      }
    }),
  )
}
