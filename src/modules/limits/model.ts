// Shapes shared by the limiter services and their backends.
import type { Effect } from "effect"
import type { BackoffDecision, BackoffRule } from "./backoff"
import type { LimiterUnavailable } from "./errors"
import type { GcraDecision } from "./gcra"

export type LimitsBackendKind = "memory" | "postgres" | "redis"

export type Decision = {
  readonly allowed: boolean
  /** Calls per minute. */
  readonly limit: number
  readonly remaining: number
  /** Until the whole limit is available again, s (rounded up). */
  readonly resetSeconds: number
  /** Until the next call may pass, s (rounded up); 0 when allowed. */
  readonly retryAfterSeconds: number
}

export type RateLimiterShape = {
  readonly backend: LimitsBackendKind
  /** Counts one call for the key when allowed; a refused call costs nothing. */
  readonly check: (keyId: string, limitPerMinute: number) => Effect.Effect<Decision, LimiterUnavailable>
}

export type Lease = {
  readonly keyId: string
  readonly leaseId: string
  /** When the slot frees itself if never released (a crashed instance), epoch ms. */
  readonly expiresAt: number
}

/** What a backend does; the service adds time, ids and errors. */
export type LeaseStore = {
  readonly backend: LimitsBackendKind
  /** Adds the lease unless `limit` unexpired leases exist for the key; true when added. */
  readonly tryAcquire: (lease: Lease, limit: number, nowMs: number) => Effect.Effect<boolean, LimiterUnavailable>
  readonly release: (lease: Lease) => Effect.Effect<void, LimiterUnavailable>
  /** Unexpired leases of the key (for tests and diagnostics). */
  readonly inFlight: (keyId: string, nowMs: number) => Effect.Effect<number, LimiterUnavailable>
}

/**
 * One call's admission: the rate step, then, only when it allows, a lease
 * (`granted`). A backend that can does both in one round trip; the rate step
 * counts even when no slot is free, as two separate steps would.
 */
export type Admit = (
  keyId: string,
  limitPerMinute: number,
  lease: Lease,
  concurrency: number,
  nowMs: number,
) => Effect.Effect<{ readonly rate: GcraDecision; readonly granted: boolean }, LimiterUnavailable>

/** Attempts with exponential lockout (backoff.ts); what a backend does, the caller adds time. */
export type BackoffStore = {
  /** Admits and counts one attempt on the key, or refuses it and changes nothing. */
  readonly attempt: (key: string, rule: BackoffRule, nowMs: number) => Effect.Effect<BackoffDecision, LimiterUnavailable>
  /** Until the key admits an attempt, ms (0 now), counting nothing. */
  readonly wait: (key: string, rule: BackoffRule, nowMs: number) => Effect.Effect<number, LimiterUnavailable>
  /** Forgets the key. */
  readonly clear: (key: string) => Effect.Effect<void, LimiterUnavailable>
}
