// The problem documents of this module's errors. Rate and concurrency limits.
// The map is keyed by every tag of the union, so an error without one does not compile.
import type { ProblemMap } from "../../platform/http/problem"
import type { ConcurrencyLimitExceeded, LimiterUnavailable, RateLimited } from "./errors"
import { rateLimitHeaders } from "./headers"

/** Every failure of this module that can reach a response. */
export type LimitsFailure = RateLimited | ConcurrencyLimitExceeded | LimiterUnavailable

export const limitsProblems: ProblemMap<LimitsFailure> = {
  RateLimited: {
    status: 429,
    code: "rate_limited",
    title: "Rate limit exceeded",
    detail: (e) => `This key may make ${e.limit} calls per minute. Retry in ${e.retryAfterSeconds} seconds.`,
    extra: (e) => ({ limit: e.limit, remaining: e.remaining, reset: e.resetSeconds, retry_after: e.retryAfterSeconds }),
    headers: (e) => ({ ...rateLimitHeaders(e), "retry-after": String(e.retryAfterSeconds) }),
  },
  // No RateLimit headers: they describe a per-minute quota, and concurrency is
  // not one; a client reading them would pace itself wrongly.
  ConcurrencyLimitExceeded: {
    status: 429,
    code: "concurrency_limit_exceeded",
    title: "Too many calls in flight",
    detail: (e) => `This key may have ${e.limit} calls in flight at once. Retry when one of them has finished.`,
    extra: (e) => ({ limit: e.limit, retry_after: e.retryAfterSeconds }),
    headers: (e) => ({ "retry-after": String(e.retryAfterSeconds) }),
  },
  // Failing closed: a limiter that cannot count must not let unmetered calls spend money.
  LimiterUnavailable: {
    status: 503,
    code: "limiter_unavailable",
    title: "Rate limiter unavailable",
    detail: () => "The rate limiter's store did not answer, so the call was not made and nothing was charged. Retry shortly.",
    headers: () => ({ "retry-after": "5" }),
  },
}
