// The Store service: every repository over the open Database. Most are
// written once over the dialect port (port.ts); usage and wallets keep one
// implementation per dialect for their money and locking paths, each for a
// difference the port cannot hide (see their files). Modules depend on
// Store, never on drizzle.
import { Context, Effect, Layer } from "effect"
import { Database } from "../platform/db/database"
import { portOf } from "./port"
import type { AlertsRepo } from "./alerts/repo"
import type { WebhooksRepo } from "./webhooks/repo"
import { sqlWebhooks } from "./webhooks/sql"
import { sqlAlerts } from "./alerts/sql"
import type { AuditRepo } from "./audit/repo"
import { sqlAudit } from "./audit/sql"
import type { BillingRepo } from "./billing/repo"
import { sqlBilling } from "./billing/sql"
import { healthRepo, type HealthRepo } from "./health/repo"
import type { IdempotencyRepo } from "./idempotency/repo"
import { sqlIdempotency } from "./idempotency/sql"
import type { PeriodsRepo } from "./periods/repo"
import { sqlPeriods } from "./periods/sql"
import { pgUsage } from "./usage/pg"
import type { UsageRepo } from "./usage/repo"
import { sqliteUsage } from "./usage/sqlite"
import type { KeysRepo } from "./keys/repo"
import { sqlKeys } from "./keys/sql"
import type { SessionsRepo } from "./sessions/repo"
import { sqlSessions } from "./sessions/sql"
import type { OutboxRepo } from "./outbox/repo"
import { sqlOutbox } from "./outbox/sql"
import type { UsersRepo } from "./users/repo"
import { sqlUsers } from "./users/sql"
import { pgWallets } from "./wallets/pg"
import { countingWrites, type WalletsRepo } from "./wallets/repo"
import { sqliteWallets } from "./wallets/sqlite"

export type StoreShape = {
  readonly dialect: "sqlite" | "postgres"
  readonly health: HealthRepo
  readonly users: UsersRepo
  readonly keys: KeysRepo
  readonly sessions: SessionsRepo
  readonly wallets: WalletsRepo
  readonly usage: UsageRepo
  readonly periods: PeriodsRepo
  readonly idempotency: IdempotencyRepo
  readonly outbox: OutboxRepo
  readonly billing: BillingRepo
  readonly audit: AuditRepo
  readonly alerts: AlertsRepo
  readonly webhooks: WebhooksRepo
}

export class Store extends Context.Service<Store, StoreShape>()("tdk/Store") {
  static readonly layer = Layer.effect(
    Store,
    Effect.gen(function* () {
      const handle = yield* Database
      const port = portOf(handle)
      const shared = {
        health: healthRepo(handle),
        users: sqlUsers(port),
        keys: sqlKeys(port),
        sessions: sqlSessions(port),
        periods: sqlPeriods(port),
        idempotency: sqlIdempotency(port),
        alerts: sqlAlerts(port),
        webhooks: sqlWebhooks(port),
        outbox: sqlOutbox(port),
        billing: sqlBilling(port),
        audit: sqlAudit(port),
      }
      if (handle.kind === "sqlite") {
        return {
          dialect: "sqlite",
          ...shared,
          wallets: countingWrites(sqliteWallets(port)),
          usage: sqliteUsage(port),
        }
      }
      const db = handle.db
      return {
        dialect: "postgres",
        ...shared,
        wallets: countingWrites(pgWallets(db, port)),
        usage: pgUsage(db, handle.client, port),
      }
    }),
  )
}
