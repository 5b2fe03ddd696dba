// A database migrated only through the first `count` embedded migrations, as
// an older release left it, so a migration test can write legacy rows and
// then run the full runMigrations over them. Same migrator, bookkeeping table
// and schema as src/platform/db/migrations.ts.
import { drizzle as drizzlePg } from "drizzle-orm/postgres-js"
import postgres from "postgres"
import type { DatabaseHandle } from "../../src/platform/db/database"
import { migrationsTable, toMigrationMeta } from "../../src/platform/db/migrate"
import { pgMigrations, sqliteMigrations } from "../../src/platform/db/migrations.embedded"

type Migrator = { migrate: (m: unknown, session: unknown, config: unknown) => unknown }
const dialectOf = (db: unknown) => db as { dialect: Migrator; session: unknown }

export const migrateThrough = async (handle: DatabaseHandle, count: number): Promise<void> => {
  if (handle.kind === "sqlite") {
    const { dialect, session } = dialectOf(handle.db)
    dialect.migrate(toMigrationMeta(sqliteMigrations.slice(0, count)), session, { migrationsFolder: "", migrationsTable })
    return
  }
  const conn = postgres(handle.url, { max: 1, onnotice: () => {} })
  try {
    const { dialect, session } = dialectOf(drizzlePg({ client: conn }))
    await dialect.migrate(toMigrationMeta(pgMigrations.slice(0, count)), session, { migrationsFolder: "", migrationsTable, migrationsSchema: "drizzle" })
  } finally {
    await conn.end({ timeout: 5 })
  }
}
