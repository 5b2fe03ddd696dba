// The Database service: one open connection pool for the configured dialect.
// Repositories read `kind` to pick their implementation; nothing else touches
// the driver.
import { Database as BunSqlite } from "bun:sqlite"
import { mkdirSync } from "node:fs"
import { dirname } from "node:path"
import { drizzle as drizzleSqlite, type BunSQLiteDatabase } from "drizzle-orm/bun-sqlite"
import { drizzle as drizzlePg, type PostgresJsDatabase } from "drizzle-orm/postgres-js"
import { Context, Effect, Layer } from "effect"
import postgres from "postgres"
import type { DatabaseTarget } from "../config/database-url"
import { AppConfig } from "../config/service"
import * as pgSchema from "./schema.pg"
import * as sqliteSchema from "./schema.sqlite"
import { finalizeKeptStatements, keepCompiledStatements } from "./sqlite-statements"

export type SqliteDb = BunSQLiteDatabase<typeof sqliteSchema> & { readonly $client: BunSqlite }
export type PgDb = PostgresJsDatabase<typeof pgSchema>

export type DatabaseHandle =
  | { readonly kind: "sqlite"; readonly db: SqliteDb; readonly client: BunSqlite }
  | { readonly kind: "postgres"; readonly db: PgDb; readonly client: postgres.Sql; readonly url: string }

export const openDatabase = (target: DatabaseTarget): DatabaseHandle => {
  if (target.dialect === "sqlite") {
    if (target.path !== ":memory:") mkdirSync(dirname(target.path), { recursive: true })
    const client = new BunSqlite(target.path, { create: true, strict: true })
    client.exec("PRAGMA journal_mode = WAL")
    client.exec("PRAGMA busy_timeout = 5000")
    client.exec("PRAGMA synchronous = NORMAL")
    client.exec("PRAGMA foreign_keys = ON")
    keepCompiledStatements(client)
    return { kind: "sqlite", db: drizzleSqlite({ client, schema: sqliteSchema }), client }
  }
  // Notices (e.g. "relation already exists, skipping") are not our log lines.
  const client = postgres(target.url, { max: 10, onnotice: () => {}, connect_timeout: 10 })
  return { kind: "postgres", db: drizzlePg({ client, schema: pgSchema }), client, url: target.url }
}

export const closeDatabase = async (handle: DatabaseHandle): Promise<void> => {
  if (handle.kind === "sqlite") {
    finalizeKeptStatements(handle.client)
    handle.client.close()
  }
  else await handle.client.end({ timeout: 5 })
}

export class Database extends Context.Service<Database, DatabaseHandle>()("tdk/Database") {
  /** Opens the configured database for the runtime's lifetime and closes it on dispose. */
  static readonly layer = Layer.effect(
    Database,
    Effect.gen(function* () {
      const config = yield* AppConfig
      return yield* Effect.acquireRelease(
        Effect.sync(() => openDatabase(config.database)),
        (handle) => Effect.promise(() => closeDatabase(handle)),
      )
    }),
  )

  /** Wraps an already-open handle (tests share one per file); the caller closes it. */
  static readonly fromHandle = (handle: DatabaseHandle) => Layer.succeed(Database, handle)
}
