// Where the sandbox keeps its state. On a Postgres gateway: schema `sandbox`
// in the gateway's database, over the gateway's pool, so every instance sees
// one sandbox. On a SQLite gateway: its own file, never the gateway's
// database, so the sandbox can be dropped without touching real data.
import { Effect, type Scope } from "effect"
import type { Config } from "../../platform/config/config"
import type { DatabaseHandle } from "../../platform/db/database"
import { createPgSchema, pgStore } from "./store/pg"
import type { SandboxStore } from "./store/sql"
import { openSqliteStore } from "./store/sqlite"

/** `:memory:` when the gateway's own database is in memory (tests), else a file in DATA_DIR. */
export const sandboxDbPath = (config: Config): string =>
  config.database.dialect === "sqlite" && config.database.path === ":memory:" ? ":memory:" : `${config.dataDir}/sandbox.db`

/** Opens (and creates in place) the sandbox's tables; a SQLite file is closed with the scope, the gateway's pool is not the sandbox's to close. */
export const openSandboxStore = (config: Config, database: DatabaseHandle): Effect.Effect<SandboxStore, never, Scope.Scope> =>
  database.kind === "postgres"
    ? Effect.as(createPgSchema(database.db), pgStore(database.db))
    : Effect.acquireRelease(
        Effect.sync(() => openSqliteStore(sandboxDbPath(config))),
        (opened) => Effect.sync(() => opened.close()),
      ).pipe(Effect.map((opened) => opened.store))
