// The Store service: every repository, implemented once per dialect and picked
// from the open Database at start-up. Modules depend on Store, never on drizzle.
import { Context, Effect, Layer } from "effect"
import { Database } from "../platform/db/database"
import { pgBilling } from "./billing/pg"
import type { BillingRepo } from "./billing/repo"
import { sqliteBilling } from "./billing/sqlite"
import { healthRepo, type HealthRepo } from "./health/repo"
import { pgOutbox } from "./outbox/pg"
import type { OutboxRepo } from "./outbox/repo"
import { sqliteOutbox } from "./outbox/sqlite"
import { pgUsers } from "./users/pg"
import type { UsersRepo } from "./users/repo"
import { sqliteUsers } from "./users/sqlite"

export type StoreShape = {
  readonly dialect: "sqlite" | "postgres"
  readonly health: HealthRepo
  readonly users: UsersRepo
  readonly outbox: OutboxRepo
  readonly billing: BillingRepo
}

export class Store extends Context.Service<Store, StoreShape>()("tdk/Store") {
  static readonly layer = Layer.effect(
    Store,
    Effect.gen(function* () {
      const handle = yield* Database
      const health = healthRepo(handle)
      if (handle.kind === "sqlite") return { dialect: "sqlite", health, users: sqliteUsers(handle.db), outbox: sqliteOutbox(handle.db), billing: sqliteBilling(handle.db) }
      return { dialect: "postgres", health, users: pgUsers(handle.db), outbox: pgOutbox(handle.db), billing: pgBilling(handle.db) }
    }),
  )
}
