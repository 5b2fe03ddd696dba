// RateLimit and RateLimit-Policy headers in the IETF httpapi draft's
// structured form, for successful responses and for 429s alike.
import type { Decision } from "./model"
import { WINDOW_MS } from "./gcra"

export const rateLimitPolicy = (limit: number): string => `${limit};w=${WINDOW_MS / 1000}`

export const rateLimitHeaders = (d: Pick<Decision, "limit" | "remaining" | "resetSeconds">): Record<string, string> => ({
  ratelimit: `limit=${d.limit}, remaining=${d.remaining}, reset=${d.resetSeconds}`,
  "ratelimit-policy": rateLimitPolicy(d.limit),
})
