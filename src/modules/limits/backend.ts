// Where limiter state lives, chosen by RATE_LIMIT_BACKEND at start-up: this
// process's memory, the application's Postgres, or Redis. The rate limiter
// and the concurrency limiter share it (and its one Redis connection).
import { Context, Effect, Layer } from "effect"
import { AppConfig } from "../../platform/config/service"
import { Database } from "../../platform/db/database"
import type { LimiterUnavailable } from "./errors"
import type { GcraDecision } from "./gcra"
import { memoryBackoff, memoryGcra, memoryLeases } from "./memory"
import type { Admit, BackoffStore, LeaseStore, LimitsBackendKind } from "./model"
import { postgresBackoff, postgresGcra, postgresLeases, postgresSweep } from "./postgres"
import { openRedis, redisAdmit, redisBackoff, redisGcra, redisLeases } from "./redis"
import type postgres from "postgres"

export type LimitsBackendShape = {
  readonly backend: LimitsBackendKind
  /** One GCRA step for the key at `nowMs` (epoch ms), atomically: `limit` per `windowMs` (default a minute). */
  readonly gcra: (keyId: string, limit: number, nowMs: number, windowMs?: number) => Effect.Effect<GcraDecision, LimiterUnavailable>
  readonly leases: LeaseStore
  /** The rate step and the lease of one call; one round trip on Redis. */
  readonly admit: Admit
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

/** Admission as its two steps in turn, where a round trip costs little (memory) or the steps are rows (Postgres). */
const stepByStep = (gcra: LimitsBackendShape["gcra"], leases: LeaseStore): Admit => (keyId, limit, lease, concurrency, nowMs) =>
  Effect.flatMap(gcra(keyId, limit, nowMs), (rate) =>
    rate.allowed ? Effect.map(leases.tryAcquire(lease, concurrency, nowMs), (granted) => ({ rate, granted })) : Effect.succeed({ rate, granted: false }),
  )

export const REDIS_KEY_PREFIX = "tdk:limits:"

export class LimitsBackend extends Context.Service<LimitsBackend, LimitsBackendShape>()("tdk/LimitsBackend") {
  static readonly memory = Layer.sync(LimitsBackend, () => {
    const table = memoryGcra()
    const gcra: LimitsBackendShape["gcra"] = (k, l, now, w) => Effect.sync(() => table.check(k, l, now, w))
    const leases = memoryLeases()
    return { backend: "memory" as const, gcra, leases, admit: stepByStep(gcra, leases), backoff: memoryBackoff(), sweep: nothingToSweep }
  })

  static readonly postgres = (sql: postgres.Sql, timeoutMs: number) => {
    const gcra = postgresGcra(sql, timeoutMs)
    const leases = postgresLeases(sql, timeoutMs)
    return Layer.succeed(LimitsBackend, { backend: "postgres", gcra, leases, admit: stepByStep(gcra, leases), backoff: postgresBackoff(sql, timeoutMs), sweep: postgresSweep(sql, timeoutMs) })
  }

  /** Opens its own Redis connection for the runtime's lifetime. */
  static readonly redis = (url: string, timeoutMs: number, prefix = REDIS_KEY_PREFIX) =>
    Layer.effect(
      LimitsBackend,
      Effect.acquireRelease(Effect.sync(() => openRedis(url, timeoutMs)), (link) => Effect.sync(() => link.close())).pipe(
        Effect.map((link) => ({
          backend: "redis" as const,
          gcra: redisGcra(link, prefix),
          leases: redisLeases(link, prefix),
          admit: redisAdmit(link, prefix),
          backoff: redisBackoff(link, prefix),
          sweep: nothingToSweep,
        })),
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
