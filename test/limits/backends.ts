// The backends every limits contract test runs against: memory always,
// Postgres and Redis when their throwaway servers are running (`bun run test`).
import { Clock, Layer, ManagedRuntime } from "effect"
import postgres from "postgres"
import { ConcurrencyLimiter } from "../../src/modules/limits/concurrency"
import type { LimitsBackendKind } from "../../src/modules/limits/model"
import { RateLimiter } from "../../src/modules/limits/rate-limiter"
import { LimitsBackend } from "../../src/modules/limits/backend"
import { freePort } from "../../scripts/services"
import { manualClock, type ManualClock } from "../support/clock"
import { dialects, freshDatabase } from "../support/db"
import { deadRedisUrl, freshRedisPrefix, redisUrl } from "../support/redis"

export const LEASE_TTL_MS = 200_000
const TIMEOUT_MS = 2000

type Made = { readonly store: Layer.Layer<LimitsBackend>; readonly close: () => Promise<void> }

const makers: Record<LimitsBackendKind, () => Promise<Made>> = {
  memory: async () => ({ store: LimitsBackend.memory, close: async () => {} }),
  postgres: async () => {
    const db = await freshDatabase("postgres")
    if (db.handle.kind !== "postgres") throw new Error("expected a Postgres handle")
    return { store: LimitsBackend.postgres(db.handle.client, TIMEOUT_MS), close: db.close }
  },
  redis: async () => ({ store: LimitsBackend.redis(redisUrl!, TIMEOUT_MS, freshRedisPrefix()), close: async () => {} }),
}

/** Backends up in this process. */
export const backends: ReadonlyArray<LimitsBackendKind> = ["memory", ...(dialects.includes("postgres") ? (["postgres"] as const) : []), ...(redisUrl ? (["redis"] as const) : [])]

const runtimeOf = (store: Layer.Layer<LimitsBackend>, clock: ManualClock) =>
  ManagedRuntime.make(
    Layer.mergeAll(RateLimiter.layer, ConcurrencyLimiter.make(LEASE_TTL_MS)).pipe(Layer.provideMerge(store), Layer.provideMerge(Layer.succeed(Clock.Clock, clock))),
  )

export type Harness = { readonly runtime: ReturnType<typeof runtimeOf>; readonly clock: ManualClock; readonly close: () => Promise<void> }

/** Fresh limiter state (new database or key prefix) on a clock that moves only when told. */
export const harness = async (backend: LimitsBackendKind): Promise<Harness> => {
  const made = await makers[backend]()
  const clock = manualClock()
  const runtime = runtimeOf(made.store, clock)
  return {
    runtime,
    clock,
    close: async () => {
      await runtime.dispose()
      await made.close()
    },
  }
}

/** Appears in the down backends' URLs; must never reach an error. */
export const DEAD_PASSWORD = "s3cr3t-limiter-pw"

/** A backend whose server is down: nothing listens on its port. */
export const deadHarness = async (backend: "postgres" | "redis"): Promise<Harness> => {
  const clock = manualClock()
  if (backend === "redis") {
    const runtime = runtimeOf(LimitsBackend.redis(deadRedisUrl(DEAD_PASSWORD), TIMEOUT_MS, freshRedisPrefix()), clock)
    return { runtime, clock, close: () => runtime.dispose() }
  }
  const sql = postgres(`postgres://tdk:${DEAD_PASSWORD}@127.0.0.1:${freePort()}/tdk`, { max: 2, connect_timeout: 2, onnotice: () => {} })
  const runtime = runtimeOf(LimitsBackend.postgres(sql, TIMEOUT_MS), clock)
  return {
    runtime,
    clock,
    close: async () => {
      await runtime.dispose()
      await sql.end({ timeout: 1 })
    },
  }
}
