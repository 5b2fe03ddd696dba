// At most N calls in flight per key. A slot is a lease with an expiry, so a
// slot held by a crashed instance frees itself after CONCURRENCY_LEASE_TTL_MS
// (longer than the longest agent call); a live instance releases it as soon
// as the call ends, on every path, through withAdmission.
import { Clock, Context, Effect, Layer, Option } from "effect"
import { AppConfig } from "../../platform/config/service"
import { newId } from "../../platform/ids"
import { ConcurrencyLimitExceeded, RateLimited, type LimiterUnavailable } from "./errors"
import type { Decision, Lease, LimitsBackendKind } from "./model"
import { LimitsBackend } from "./backend"
import { toDecision } from "./rate-limiter"

/** What a refused caller is told to wait: a slot frees when any call of the key ends. */
export const CONCURRENCY_RETRY_AFTER_SECONDS = 1

/** How long this instance remembers refusing a key's admission (or not reaching the backend), ms. */
export const REFUSAL_MEMORY_MS = 60_000
/** Keys remembered at most; the oldest refusal is forgotten first. */
const REFUSALS_KEPT = 10_000
/** The memory's entry for "the backend could not be reached", for every key. */
const UNREACHABLE = "*"

export type ConcurrencyLimiterShape = {
  readonly backend: LimitsBackendKind
  readonly acquire: (keyId: string, limit: number) => Effect.Effect<Lease, ConcurrencyLimitExceeded | LimiterUnavailable>
  readonly release: (lease: Lease) => Effect.Effect<void, LimiterUnavailable>
  /**
   * A call's rate step, then its slot (one round trip on Redis): refused by
   * rate, nothing is taken; refused by concurrency, the rate step counted.
   */
  readonly admit: (keyId: string, ratePerMinute: number, limit: number) => Effect.Effect<{ readonly decision: Decision; readonly lease: Lease }, RateLimited | ConcurrencyLimitExceeded | LimiterUnavailable>
  /** Unexpired leases of the key now. */
  readonly inFlight: (keyId: string) => Effect.Effect<number, LimiterUnavailable>
  /** This instance refused the key's admission, or could not reach the backend, within REFUSAL_MEMORY_MS. */
  readonly refusedLately: (keyId: string) => Effect.Effect<boolean>
}

export class ConcurrencyLimiter extends Context.Service<ConcurrencyLimiter, ConcurrencyLimiterShape>()("tdk/ConcurrencyLimiter") {
  static readonly make = (leaseTtlMs: number) =>
    Layer.effect(
      ConcurrencyLimiter,
      Effect.gen(function* () {
        const { leases, admit } = yield* LimitsBackend
        const leaseAt = (keyId: string, now: number): Lease => ({ keyId, leaseId: newId("lse", now), expiresAt: now + leaseTtlMs })
        // Refusals by key, epoch ms, oldest first (a refusal moves its key to the end).
        const refusals = new Map<string, number>()
        const remember = (keyId: string, now: number) => {
          refusals.delete(keyId)
          refusals.set(keyId, now)
          if (refusals.size > REFUSALS_KEPT) refusals.delete(refusals.keys().next().value!)
        }
        const lately = (keyId: string, now: number) => (refusals.get(keyId) ?? -Infinity) > now - REFUSAL_MEMORY_MS
        return {
          backend: leases.backend,
          admit: Effect.fn("ConcurrencyLimiter.admit")(function* (keyId: string, ratePerMinute: number, limit: number) {
            const now = yield* Clock.currentTimeMillis
            const lease = leaseAt(keyId, now)
            const { rate, granted } = yield* admit(keyId, ratePerMinute, lease, limit, now).pipe(Effect.tapError(() => Effect.sync(() => remember(UNREACHABLE, now))))
            const decision = toDecision(rate)
            if (!decision.allowed || !granted) remember(keyId, now)
            if (!decision.allowed) return yield* new RateLimited({ limit: decision.limit, remaining: decision.remaining, resetSeconds: decision.resetSeconds, retryAfterSeconds: decision.retryAfterSeconds })
            if (!granted) return yield* new ConcurrencyLimitExceeded({ limit, retryAfterSeconds: CONCURRENCY_RETRY_AFTER_SECONDS })
            return { decision, lease }
          }),
          refusedLately: (keyId: string) => Effect.map(Clock.currentTimeMillis, (now) => lately(keyId, now) || lately(UNREACHABLE, now)),
          acquire: Effect.fn("ConcurrencyLimiter.acquire")(function* (keyId: string, limit: number) {
            const now = yield* Clock.currentTimeMillis
            const lease = leaseAt(keyId, now)
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

export const releaseOrLapse = (limiter: ConcurrencyLimiterShape, lease: Lease): Effect.Effect<void> =>
  limiter.release(lease).pipe(
    Effect.catchTag("LimiterUnavailable", (e) =>
      Effect.logWarning("concurrency slot not released; it lapses at its TTL", { key_id: lease.keyId, expires_at: lease.expiresAt, reason: e.reason }),
    ),
  )

/**
 * The slot the running call holds, for a call that is done with it before it
 * ends: the marketplace has answered, and freeing it can overlap the settle
 * write. Freed once, whoever asks first; absent outside withAdmission.
 */
export class ConcurrencySlot extends Context.Service<ConcurrencySlot, { readonly free: Effect.Effect<void> }>()("tdk/ConcurrencySlot") {}

/** Frees the running call's slot now, if it holds one. */
export const freeSlotEarly: Effect.Effect<void> = Effect.flatMap(Effect.serviceOption(ConcurrencySlot), Option.match({ onNone: () => Effect.void, onSome: (slot) => slot.free }))

/**
 * Admits a call (rate step and slot, ConcurrencyLimiter.admit) and runs it
 * holding the slot. The slot is released on success, failure, defect and
 * interruption (client gone, timeout), or earlier through ConcurrencySlot; if
 * the release cannot reach the backend, the lease lapses at its TTL.
 */
export const withAdmission = <A, E, R>(
  keyId: string,
  ratePerMinute: number,
  limit: number,
  call: (decision: Decision) => Effect.Effect<A, E, R>,
): Effect.Effect<A, E | RateLimited | ConcurrencyLimitExceeded | LimiterUnavailable, Exclude<R, ConcurrencySlot> | ConcurrencyLimiter> =>
  ConcurrencyLimiter.use((limiter) =>
    Effect.acquireUseRelease(
      Effect.map(limiter.admit(keyId, ratePerMinute, limit), ({ decision, lease }) => {
        let freed = false
        const free = Effect.suspend(() => (freed ? Effect.void : ((freed = true), releaseOrLapse(limiter, lease))))
        return { decision, free }
      }),
      ({ decision, free }) => Effect.provideService(call(decision), ConcurrencySlot, { free }),
      ({ free }) => free,
    ),
  )
