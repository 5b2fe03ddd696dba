// Runs drizzle migrations from the copies embedded in the code, producing the
// same bookkeeping rows (hash, created_at) as drizzle's folder migrator.
import { createHash } from "node:crypto"

export type EmbeddedMigration = {
  readonly tag: string
  readonly when: number
  readonly breakpoints: boolean
  readonly sql: string
}

export type MigrationMeta = {
  sql: Array<string>
  bps: boolean
  folderMillis: number
  hash: string
}

export const toMigrationMeta = (migrations: ReadonlyArray<EmbeddedMigration>): Array<MigrationMeta> =>
  migrations.map((m) => ({
    sql: m.sql.split("--> statement-breakpoint"),
    bps: m.breakpoints,
    folderMillis: m.when,
    hash: createHash("sha256").update(m.sql).digest("hex"),
  }))

export const migrationsTable = "__drizzle_migrations"
