import { describe, expect, test } from "bun:test"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { closeDatabase, openDatabase } from "../../src/platform/db/database"
import { renderEmbeddedMigrations } from "../../src/platform/db/embed"
import { migrationStatus, runMigrations } from "../../src/platform/db/migrations"
import { dialects, emptyPostgres } from "../support/db"

const root = join(import.meta.dir, "../..")

test("the embedded migrations match drizzle/ (run `bun run db:generate` after a schema change)", async () => {
  const committed = readFileSync(join(root, "src/platform/db/migrations.embedded.ts"), "utf8")
  expect(committed).toBe(await renderEmbeddedMigrations(join(root, "drizzle")))
})

test("an empty SQLite database reports pending migrations, then is current after migrating twice", async () => {
  const handle = openDatabase({ dialect: "sqlite", path: ":memory:" })
  expect((await migrationStatus(handle)).current).toBe(false)
  await runMigrations(handle)
  await runMigrations(handle)
  const status = await migrationStatus(handle)
  expect(status).toMatchObject({ current: true })
  expect(status.applied).toBe(status.expected)
  await closeDatabase(handle)
})

describe.skipIf(!dialects.includes("postgres"))("postgres migrations", () => {
  test("two instances migrating one empty database at once both succeed and apply each migration once", async () => {
    const db = await emptyPostgres()
    const a = openDatabase({ dialect: "postgres", url: db.url })
    const b = openDatabase({ dialect: "postgres", url: db.url })
    try {
      expect((await migrationStatus(a)).current).toBe(false)
      await Promise.all([runMigrations(a), runMigrations(b)])
      const status = await migrationStatus(a)
      expect(status.current).toBe(true)
      expect(status.applied).toBe(status.expected)
    } finally {
      await closeDatabase(a)
      await closeDatabase(b)
      await db.drop()
    }
  })
})
