// The Store service: every repository, implemented once per dialect and picked
// from the open Database at start-up. Modules depend on Store, never on drizzle.
import { Context, Effect, Layer } from "effect"
import { Database } from "../platform/db/database"
import { pgAudit } from "./audit/pg"
import type { AuditRepo } from "./audit/repo"
import { sqliteAudit } from "./audit/sqlite"
import { pgBilling } from "./billing/pg"
import type { BillingRepo } from "./billing/repo"
import { sqliteBilling } from "./billing/sqlite"
import { healthRepo, type HealthRepo } from "./health/repo"
import { pgIdempotency } from "./idempotency/pg"
import type { IdempotencyRepo } from "./idempotency/repo"
import { sqliteIdempotency } from "./idempotency/sqlite"
import { pgPeriods } from "./periods/pg"
import type { PeriodsRepo } from "./periods/repo"
import { sqlitePeriods } from "./periods/sqlite"
import { pgUsage } from "./usage/pg"
import type { UsageRepo } from "./usage/repo"
import { sqliteUsage } from "./usage/sqlite"
import { pgKeys } from "./keys/pg"
import type { KeysRepo } from "./keys/repo"
import { sqliteKeys } from "./keys/sqlite"
import { pgSessions } from "./sessions/pg"
import type { SessionsRepo } from "./sessions/repo"
import { sqliteSessions } from "./sessions/sqlite"
import { pgOutbox } from "./outbox/pg"
import type { OutboxRepo } from "./outbox/repo"
import { sqliteOutbox } from "./outbox/sqlite"
import { pgUsers } from "./users/pg"
import type { UsersRepo } from "./users/repo"
import { sqliteUsers } from "./users/sqlite"
import { pgWallets } from "./wallets/pg"
import type { WalletsRepo } from "./wallets/repo"
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
}

export class Store extends Context.Service<Store, StoreShape>()("tdk/Store") {
  static readonly layer = Layer.effect(
    Store,
    Effect.gen(function* () {
      const handle = yield* Database
      const health = healthRepo(handle)
      if (handle.kind === "sqlite") {
        const db = handle.db
        return {
          dialect: "sqlite",
          health,
          users: sqliteUsers(db),
          keys: sqliteKeys(db),
          sessions: sqliteSessions(db),
          wallets: sqliteWallets(db),
          usage: sqliteUsage(db),
          periods: sqlitePeriods(db),
          idempotency: sqliteIdempotency(db),
          outbox: sqliteOutbox(db),
          billing: sqliteBilling(db),
          audit: sqliteAudit(db),
        }
      }
      const db = handle.db
      return {
        dialect: "postgres",
        health,
        users: pgUsers(db),
        keys: pgKeys(db),
        sessions: pgSessions(db),
        wallets: pgWallets(db),
        usage: pgUsage(db),
        periods: pgPeriods(db),
        idempotency: pgIdempotency(db),
        outbox: pgOutbox(db),
        billing: pgBilling(db),
        audit: pgAudit(db),
      }
    }),
  )
}
