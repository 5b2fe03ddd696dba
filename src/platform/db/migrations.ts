// Applies the embedded migrations and reports whether a database is current.
import { drizzle as drizzlePg } from "drizzle-orm/postgres-js"
import postgres from "postgres"
import type { DatabaseHandle } from "./database"
import { migrationsTable, toMigrationMeta } from "./migrate"
import { pgMigrations, sqliteMigrations } from "./migrations.embedded"

// Any constant shared by every instance: serialises concurrent start-ups.
const MIGRATION_LOCK = 7_311_042_001

const pgSchema = "drizzle"

type Migrator = { migrate: (m: unknown, session: unknown, config: unknown) => unknown }
const dialectOf = (db: unknown) => (db as { dialect: Migrator; session: unknown })

/** Applies the embedded migrations; `through` stops after that many (tests that start from an older schema). */
export const runMigrations = async (handle: DatabaseHandle, through?: number): Promise<void> => {
  if (handle.kind === "sqlite") {
    const { dialect, session } = dialectOf(handle.db)
    dialect.migrate(toMigrationMeta(sqliteMigrations.slice(0, through)), session, { migrationsFolder: "", migrationsTable })
    return
  }
  // One connection holds the advisory lock for the whole run, so two gateway
  // instances starting together never apply the same migration twice.
  const conn = postgres(handle.url, { max: 1, onnotice: () => {} })
  try {
    await conn`select pg_advisory_lock(${MIGRATION_LOCK})`
    const { dialect, session } = dialectOf(drizzlePg({ client: conn }))
    await dialect.migrate(toMigrationMeta(pgMigrations.slice(0, through)), session, { migrationsFolder: "", migrationsTable, migrationsSchema: pgSchema })
    await conn`select pg_advisory_unlock(${MIGRATION_LOCK})`
  } finally {
    await conn.end({ timeout: 5 })
  }
}

export type MigrationStatus = { readonly applied: number; readonly expected: number; readonly current: boolean }

export const migrationStatus = async (handle: DatabaseHandle): Promise<MigrationStatus> => {
  const expectedList = handle.kind === "sqlite" ? sqliteMigrations : pgMigrations
  const expected = expectedList.length
  const last = expectedList.at(-1)?.when ?? 0
  let applied = 0
  let lastApplied = 0
  if (handle.kind === "sqlite") {
    const exists = handle.client.query("select 1 from sqlite_master where type = 'table' and name = ?").get(migrationsTable)
    if (exists) {
      const row = handle.client.query(`select count(*) as n, max(created_at) as last from ${migrationsTable}`).get() as { n: number; last: number | null }
      applied = row.n
      lastApplied = Number(row.last ?? 0)
    }
  } else {
    const [exists] = await handle.client`select to_regclass(${`${pgSchema}.${migrationsTable}`}) as t`
    if (exists?.t) {
      const [row] = await handle.client.unsafe(`select count(*)::int as n, max(created_at) as last from ${pgSchema}.${migrationsTable}`)
      applied = Number(row?.n ?? 0)
      lastApplied = Number(row?.last ?? 0)
    }
  }
  return { applied, expected, current: applied >= expected && lastApplied >= last }
}

/** Cheapest round trip that proves the database answers. */
export const ping = async (handle: DatabaseHandle): Promise<void> => {
  if (handle.kind === "sqlite") handle.client.query("select 1").get()
  else await handle.client`select 1`
}
