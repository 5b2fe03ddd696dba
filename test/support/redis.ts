// Redis for tests: the throwaway server scripts/test.ts starts
// (TEST_REDIS_URL), and a unique key prefix per test so tests share it safely.
import { freePort } from "../../scripts/services"

export const redisUrl = process.env.TEST_REDIS_URL
if (!redisUrl && process.env.TDK_TEST_SERVICES === "1") throw new Error("TEST_REDIS_URL is required when run by scripts/test.ts")
if (!redisUrl) console.warn("TEST_REDIS_URL unset: Redis suites are skipped (run `bun run test` for the full suite)")

let counter = 0

/** A key prefix no other test uses. */
export const freshRedisPrefix = (): string => `tdk:test:${process.pid}:${++counter}:${Math.floor(Math.random() * 1e9)}:`

/** A Redis URL, with a password, where nothing listens (Redis down). */
export const deadRedisUrl = (password: string): string => `redis://default:${password}@127.0.0.1:${freePort()}`
