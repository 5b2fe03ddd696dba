import { Data } from "effect"

/** The key's calls-per-minute limit is used up; `retryAfterSeconds` until the next call may pass. */
export class RateLimited extends Data.TaggedError("RateLimited")<{
  readonly limit: number
  readonly remaining: number
  /** Until the whole limit is available again, s. */
  readonly resetSeconds: number
  readonly retryAfterSeconds: number
}> {}

/** The key already has `limit` calls in flight. */
export class ConcurrencyLimitExceeded extends Data.TaggedError("ConcurrencyLimitExceeded")<{
  readonly limit: number
  readonly retryAfterSeconds: number
}> {}

/**
 * The limiter's backend (Postgres or Redis) failed or did not answer in time.
 * `reason` is the driver's message with any URL removed.
 */
export class LimiterUnavailable extends Data.TaggedError("LimiterUnavailable")<{
  readonly backend: "postgres" | "redis"
  readonly operation: string
  readonly reason: string
}> {}
