// Runtimes wired to a fake Stripe over a shared test database, for the
// usage reporter's tests.
import { makeRuntime, type AppRuntime } from "../../src/app/layers"
import type { ReporterOptions } from "../../src/modules/billing/reporter"
import type { DatabaseHandle } from "../../src/platform/db/database"
import { memorySink } from "../../src/platform/logging/logger"
import { testConfig } from "./app"
import type { FakeStripe } from "./fake-stripe/server"

export const fastReporter: ReporterOptions = {
  usersPerPass: 64,
  concurrency: 16,
  leaseMs: 1_000,
  maxAttempts: 6,
  baseDelayMs: 1,
  maxDelayMs: 20,
  idleMs: 20,
  batchSpanMs: 60_000,
  minPassMs: 0,
}

export const billingRuntime = (fake: FakeStripe, db: DatabaseHandle, env: Record<string, string> = {}): { runtime: AppRuntime; logs: Array<string> } => {
  const { lines, sink } = memorySink()
  const config = testConfig({ STRIPE_SECRET_KEY: fake.secretKey, STRIPE_API_BASE: fake.url, STRIPE_TIMEOUT_MS: "500", LOG_LEVEL: "info", ...env })
  return { runtime: makeRuntime(config, { database: db, sink }), logs: lines }
}
