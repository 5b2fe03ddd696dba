// Limit failures as HTTP: statuses, headers and problem fields.
import { describe, expect, test } from "bun:test"
import { toProblem } from "../../src/app/error-map"
import { ConcurrencyLimitExceeded, LimiterUnavailable, RateLimited } from "../../src/modules/limits/errors"
import { rateLimitHeaders } from "../../src/modules/limits/headers"

describe("limit problems", () => {
  test("RateLimited is 429 with RateLimit, RateLimit-Policy and Retry-After, and limit/retry_after fields", () => {
    const p = toProblem(new RateLimited({ limit: 100, remaining: 0, resetSeconds: 37, retryAfterSeconds: 1 }), "req_1")
    expect(p).toMatchObject({
      body: { status: 429, code: "rate_limited", limit: 100, retry_after: 1, reset: 37, request_id: "req_1" },
      headers: { ratelimit: "limit=100, remaining=0, reset=37", "ratelimit-policy": "100;w=60", "retry-after": "1" },
    })
  })

  test("ConcurrencyLimitExceeded is 429 with Retry-After and no per-minute headers", () => {
    const p = toProblem(new ConcurrencyLimitExceeded({ limit: 10, retryAfterSeconds: 1 }), "req_1")
    expect(p).toMatchObject({ body: { status: 429, code: "concurrency_limit_exceeded", limit: 10, retry_after: 1 }, headers: { "retry-after": "1" } })
    expect(p.headers.ratelimit).toBeUndefined()
  })

  test("LimiterUnavailable is 503 and tells nothing of the backend's error", () => {
    const p = toProblem(new LimiterUnavailable({ backend: "redis", operation: "rate limit check", reason: "ECONNREFUSED 10.0.0.7:6379" }), "req_1")
    expect(p).toMatchObject({ body: { status: 503, code: "limiter_unavailable" }, headers: { "retry-after": "5" } })
    expect(JSON.stringify(p)).not.toContain("10.0.0.7")
  })

  test("a successful decision gets the same headers for a 200 response", () => {
    expect(rateLimitHeaders({ limit: 60, remaining: 59, resetSeconds: 1 })).toEqual({ ratelimit: "limit=60, remaining=59, reset=1", "ratelimit-policy": "60;w=60" })
  })
})
