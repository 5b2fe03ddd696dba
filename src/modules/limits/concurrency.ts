// At most N calls in flight per key. A slot is a lease with an expiry, so a
// slot held by a crashed instance frees itself after CONCURRENCY_LEASE_TTL_MS
// (longer than the longest agent call); a live instance releases it as soon
// as the call ends, on every path, through withConcurrencySlot.
import { Clock, Context, Effect, Layer } from "effect"
import { AppConfig } from "../../platform/config/service"
import { newId } from "../../platform/ids"
import { ConcurrencyLimitExceeded, type LimiterUnavailable } from "./errors"
import type { Lease, LimitsBackendKind } from "./model"
import { LimitsBackend } from "./backend"

/** What a refused caller is told to wait: a slot frees when any call of the key ends. */
export const CONCURRENCY_RETRY_AFTER_SECONDS = 1

export type ConcurrencyLimiterShape = {
  readonly backend: LimitsBackendKind
  readonly acquire: (keyId: string, limit: number) => Effect.Effect<Lease, ConcurrencyLimitExceeded | LimiterUnavailable>
  readonly release: (lease: Lease) => Effect.Effect<void, LimiterUnavailable>
  /** Unexpired leases of the key now. */
  readonly inFlight: (keyId: string) => Effect.Effect<number, LimiterUnavailable>
}

export class ConcurrencyLimiter extends Context.Service<ConcurrencyLimiter, ConcurrencyLimiterShape>()("tdk/ConcurrencyLimiter") {
  static readonly make = (leaseTtlMs: number) =>
    Layer.effect(
      ConcurrencyLimiter,
      Effect.gen(function* () {
        const { leases } = yield* LimitsBackend
        return {
          backend: leases.backend,
          acquire: Effect.fn("ConcurrencyLimiter.acquire")(function* (keyId: string, limit: number) {
            const now = yield* Clock.currentTimeMillis
            const lease: Lease = { keyId, leaseId: newId("lse", now), expiresAt: now + leaseTtlMs }
            const granted = yield* leases.tryAcquire(lease, limit, now)
            if (!granted) return yield* new ConcurrencyLimitExceeded({ limit, retryAfterSeconds: CONCURRENCY_RETRY_AFTER_SECONDS })
            return lease
          }),
          release: Effect.fn("ConcurrencyLimiter.release")(function* (lease: Lease) {
            yield* leases.release(lease)
          }),
          inFlight: Effect.fn("ConcurrencyLimiter.inFlight")(function* (keyId: string) {
            return yield* leases.inFlight(keyId, yield* Clock.currentTimeMillis)
          }),
        }
      }),
    )

  static readonly layer = Layer.unwrap(Effect.map(AppConfig, (config) => ConcurrencyLimiter.make(config.concurrencyLeaseTtlMs)))
}

/**
 * Runs `effect` holding one of the key's `limit` slots. The slot is released
 * on success, failure, defect and interruption (client gone, timeout); if the
 * release itself cannot reach the backend, the lease lapses at its TTL.
 */
export const withConcurrencySlot = <A, E, R>(
  keyId: string,
  limit: number,
  effect: Effect.Effect<A, E, R>,
): Effect.Effect<A, E | ConcurrencyLimitExceeded | LimiterUnavailable, R | ConcurrencyLimiter> =>
  ConcurrencyLimiter.use((limiter) =>
    Effect.acquireUseRelease(
      limiter.acquire(keyId, limit),
      () => effect,
      (lease) =>
        limiter.release(lease).pipe(
          Effect.catchTag("LimiterUnavailable", (e) =>
            Effect.logWarning("concurrency slot not released; it lapses at its TTL", { key_id: lease.keyId, expires_at: lease.expiresAt, reason: e.reason }),
          ),
        ),
    ),
  )
