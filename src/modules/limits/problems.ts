// The problem documents of this module's errors. Rate and concurrency limits.
// The map is keyed by every tag of the union, so an error without one does not compile.
import { problem, type ProblemMap } from "../../platform/http/problem"
import type { ConcurrencyLimitExceeded, LimiterUnavailable, RateLimited } from "./errors"
import { rateLimitHeaders } from "./headers"

/** Every failure of this module that can reach a response. */
export type LimitsFailure = RateLimited | ConcurrencyLimitExceeded | LimiterUnavailable

export const limitsProblems: ProblemMap<LimitsFailure> = {
  RateLimited: problem(429, "rate_limited", "Rate limit exceeded", (e) => `This key may make ${e.limit} calls per minute. Retry in ${e.retryAfterSeconds} seconds.`, { extra: (e) => ({ limit: e.limit, remaining: e.remaining, reset: e.resetSeconds, retry_after: e.retryAfterSeconds }), headers: (e) => ({ ...rateLimitHeaders(e), "retry-after": String(e.retryAfterSeconds) }) }),
  // No RateLimit headers: they describe a per-minute quota, and concurrency is
  // not one; a client reading them would pace itself wrongly.
  ConcurrencyLimitExceeded: problem(429, "concurrency_limit_exceeded", "Too many calls in flight", (e) => `This key may have ${e.limit} calls in flight at once. Retry when one of them has finished.`, { extra: (e) => ({ limit: e.limit, retry_after: e.retryAfterSeconds }), headers: (e) => ({ "retry-after": String(e.retryAfterSeconds) }) }),
  // Failing closed: a limiter that cannot count must not let unmetered calls spend money.
  LimiterUnavailable: problem(503, "limiter_unavailable", "Rate limiter unavailable", () => "The rate limiter's store did not answer, so the call was not made and nothing was charged. Retry shortly.", { headers: () => ({ "retry-after": "5" }) }),
}
