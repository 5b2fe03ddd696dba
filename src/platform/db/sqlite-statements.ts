// drizzle's bun-sqlite session compiles a statement's text on every
// execution (it calls prepare each time, and bun:sqlite's own cache behind
// `query` keeps 20). SQLite's parse and plan then cost more than most
// statements' work: under the usage reporter it was the largest single cost
// on the event loop. Compiled statements are kept here by text instead, up to
// a bound, least recently used out first, as texts with lists in them
// (IN (...), many-row inserts) vary. bun:sqlite runs a statement to
// completion before returning, and SQLite recompiles a kept statement itself
// when the schema changes under it. A kept statement holds its last
// parameters until its next run (bun does not clear them); every caller here
// binds all of its own.
import type { Database, Statement } from "bun:sqlite"

export const STATEMENT_CACHE_SIZE = 512

const keptBy = new WeakMap<Database, Map<string, Statement>>()

/** Makes `client.prepare` return a kept statement for a text it compiled before. */
export const keepCompiledStatements = (client: Database, limit: number = STATEMENT_CACHE_SIZE): void => {
  const compile = client.prepare.bind(client)
  const kept = new Map<string, Statement>()
  keptBy.set(client, kept)
  client.prepare = ((text: string, ...rest: Array<unknown>) => {
    // Bound parameters given to prepare itself would stick to the statement: only bare texts are kept.
    if (rest.length > 0) return (compile as (...a: Array<unknown>) => Statement)(text, ...rest)
    const hit = kept.get(text)
    if (hit) {
      // Most recently used last (a Map keeps insertion order).
      kept.delete(text)
      kept.set(text, hit)
      return hit
    }
    const statement = compile(text)
    // Not finalized: a caller may still hold it; the garbage collector finalizes it after.
    if (kept.size >= limit) kept.delete(kept.keys().next().value!)
    kept.set(text, statement)
    return statement
  }) as Database["prepare"]
}

/**
 * Finalizes the kept statements, before the client closes: SQLite keeps a
 * connection with live statements half open (its file and WAL too), and they
 * would go on working on a database the app has closed.
 */
export const finalizeKeptStatements = (client: Database): void => {
  const kept = keptBy.get(client)
  if (!kept) return
  for (const statement of kept.values()) statement.finalize()
  kept.clear()
}
