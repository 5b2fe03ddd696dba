// The sandbox store on bun:sqlite: its own file, never the gateway's SQLite
// database, attached as `sandbox` to an in-memory connection so statements
// name the same schema as on Postgres. The file keeps its tables in its own
// main schema, so a sandbox.db written before still opens as it was.
import { Database } from "bun:sqlite"
import { drizzle } from "drizzle-orm/bun-sqlite"
import { Effect, Exit } from "effect"
import { mkdirSync } from "node:fs"
import { dirname } from "node:path"
import { adoptLegacyNamespaces } from "./legacy"
import { sqliteSchema } from "./schema"
import type { SandboxSql, SandboxStore } from "./sql"

/** Thrown inside bun:sqlite's transaction function so that it rolls back; never escapes. */
class RolledBack {}

export const openSqliteStore = (path: string): { readonly store: SandboxStore; readonly close: () => void } => {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true })
  const client = new Database(":memory:", { strict: true })
  try {
    client.query("attach database ? as sandbox").run(path)
    client.exec("PRAGMA sandbox.journal_mode = WAL")
    // As the gateway's own file (platform/db/database.ts): in WAL mode a
    // commit is not synced to disk, only checkpoints are; a power cut may lose
    // the last commits, never the file. At the default (FULL) every sandbox
    // call waited for a sync, on the event loop.
    client.exec("PRAGMA sandbox.synchronous = NORMAL")
    client.exec("PRAGMA busy_timeout = 5000")
    client.transaction(() => {
      for (const statement of sqliteSchema) client.exec(statement)
    }).immediate()
    adoptLegacyNamespaces(client)
  } catch (e) {
    client.close()
    throw e
  }
  const db = drizzle({ client })
  const statements: SandboxSql = { rows: <T>(query: Parameters<SandboxSql["rows"]>[0]) => Effect.sync(() => db.all<T>(query)) }
  const store: SandboxStore = {
    dialect: "sqlite",
    ...statements,
    transaction: <A, E>(body: (tx: SandboxSql) => Effect.Effect<A, E>) =>
      Effect.suspend(() => {
        let exit: Exit.Exit<A, E> | undefined
        try {
          // Immediate: the write lock is taken up front, so a second process
          // on the same file waits (busy_timeout) instead of failing mid-way.
          client.transaction(() => {
            exit = Effect.runSyncExit(body(statements))
            if (Exit.isFailure(exit)) throw new RolledBack()
          }).immediate()
        } catch (e) {
          if (!(e instanceof RolledBack)) throw e
        }
        return exit!
      }),
  }
  return { store, close: () => client.close() }
}
