// Fresh databases for tests: SQLite in memory, or a new Postgres database
// cloned from a migrated template on the throwaway cluster that
// scripts/test.ts starts (TEST_POSTGRES_URL).
import postgres from "postgres"
import { closeDatabase, openDatabase, type DatabaseHandle } from "../../src/platform/db/database"
import { migrationStatus, runMigrations } from "../../src/platform/db/migrations"

export type Dialect = "sqlite" | "postgres"

export const pgUrl = process.env.TEST_POSTGRES_URL
if (!pgUrl && process.env.TDK_TEST_SERVICES === "1") throw new Error("TEST_POSTGRES_URL is required when run by scripts/test.ts")
if (!pgUrl) console.warn("TEST_POSTGRES_URL unset: Postgres suites are skipped (run `bun run test` for the full suite)")

/** The dialects every contract suite runs against in this process. */
export const dialects: ReadonlyArray<Dialect> = pgUrl ? ["sqlite", "postgres"] : ["sqlite"]

const withDb = (url: string, db: string) => {
  const u = new URL(url)
  u.pathname = `/${db}`
  return u.toString()
}

let template: Promise<void> | undefined
const TEMPLATE = "tdk_template"

const ensureTemplate = (admin: postgres.Sql) =>
  (template ??= (async () => {
    await admin.unsafe(`drop database if exists ${TEMPLATE}`)
    await admin.unsafe(`create database ${TEMPLATE}`)
    const handle = openDatabase({ dialect: "postgres", url: withDb(pgUrl!, TEMPLATE) })
    await runMigrations(handle)
    await closeDatabase(handle)
  })())

let counter = 0

/** A migrated, empty database of the given dialect. */
export const freshDatabase = async (dialect: Dialect): Promise<{ handle: DatabaseHandle; url: string; close: () => Promise<void> }> => {
  if (dialect === "sqlite") {
    const handle = openDatabase({ dialect: "sqlite", path: ":memory:" })
    await runMigrations(handle)
    return { handle, url: "sqlite::memory:", close: () => closeDatabase(handle) }
  }
  const admin = postgres(pgUrl!, { max: 1, onnotice: () => {} })
  await ensureTemplate(admin)
  const name = `tdk_t_${process.pid}_${++counter}_${Math.floor(Math.random() * 1e6)}`
  await admin.unsafe(`create database ${name} template ${TEMPLATE}`)
  const url = withDb(pgUrl!, name)
  const handle = openDatabase({ dialect: "postgres", url })
  return {
    handle,
    url,
    close: async () => {
      await closeDatabase(handle)
      await admin.unsafe(`drop database if exists ${name} with (force)`).catch(() => undefined)
      await admin.end({ timeout: 5 })
    },
  }
}

/** An empty, unmigrated Postgres database (for migration tests). */
export const emptyPostgres = async (): Promise<{ url: string; drop: () => Promise<void> }> => {
  const admin = postgres(pgUrl!, { max: 1, onnotice: () => {} })
  const name = `tdk_e_${process.pid}_${++counter}_${Math.floor(Math.random() * 1e6)}`
  await admin.unsafe(`create database ${name}`)
  return {
    url: withDb(pgUrl!, name),
    drop: async () => {
      await admin.unsafe(`drop database if exists ${name} with (force)`).catch(() => undefined)
      await admin.end({ timeout: 5 })
    },
  }
}

/** An empty, unmigrated database of the given dialect (migration tests). */
export const emptyDatabase = async (dialect: Dialect): Promise<{ handle: DatabaseHandle; drop: () => Promise<void> }> => {
  if (dialect === "sqlite") {
    const handle = openDatabase({ dialect: "sqlite", path: ":memory:" })
    return { handle, drop: () => closeDatabase(handle) }
  }
  const db = await emptyPostgres()
  const handle = openDatabase({ dialect: "postgres", url: db.url })
  return {
    handle,
    drop: async () => {
      await closeDatabase(handle)
      await db.drop()
    },
  }
}

/**
 * Runs `body` on an empty database migrated to its first `applied`
 * migrations (the schema an older release left), then drops it. The body
 * writes rows as that release would, migrates the rest and checks them.
 */
export const atMigration = async (dialect: Dialect, applied: number, body: (h: DatabaseHandle) => Promise<void>): Promise<void> => {
  const { handle, drop } = await emptyDatabase(dialect)
  try {
    await runMigrations(handle, applied)
    const status = await migrationStatus(handle)
    if (status.applied !== applied || status.current) throw new Error(`expected ${applied} migrations applied and more to come, found ${JSON.stringify(status)}`)
    await body(handle)
  } finally {
    await drop()
  }
}
