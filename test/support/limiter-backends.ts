// The limiter backends an app can be built on in this run (memory always;
// Postgres and Redis when the test services are up), for suites that run
// against each, and client addresses no earlier run used (Redis state
// outlives a run).
import { dialects, type Dialect } from "./db"
import { redisUrl } from "./redis"

export type AppBackend = { readonly name: string; readonly dialect: Dialect; readonly env: Record<string, string> }

export const appBackends: ReadonlyArray<AppBackend> = [
  { name: "memory", dialect: "sqlite", env: {} },
  ...(dialects.includes("postgres") ? [{ name: "postgres", dialect: "postgres" as const, env: { RATE_LIMIT_BACKEND: "postgres" } }] : []),
  ...(redisUrl ? [{ name: "redis", dialect: "sqlite" as const, env: { RATE_LIMIT_BACKEND: "redis", REDIS_URL: redisUrl } }] : []),
]

const octet = () => 1 + Math.floor(Math.random() * 254)
export const freshAddress = () => `10.${octet()}.${octet()}.${octet()}`
