// drizzle's bun-sqlite session compiles a statement's text on every
// execution (it calls prepare each time, and bun:sqlite's own cache behind
// `query` keeps 20). SQLite's parse and plan then cost more than most
// statements' work: under the usage reporter it was the largest single cost
// on the event loop. Compiled statements are kept here by text instead, up to
// a bound, as texts with lists in them (IN (...), many-row inserts) vary.
// bun:sqlite runs a statement to completion before returning, and SQLite
// recompiles a kept statement itself when the schema changes under it.
import type { Database, Statement } from "bun:sqlite"

export const STATEMENT_CACHE_SIZE = 512

/** Makes `client.prepare` return a kept statement for a text it compiled before. */
export const keepCompiledStatements = (client: Database, limit: number = STATEMENT_CACHE_SIZE): void => {
  const compile = client.prepare.bind(client)
  const kept = new Map<string, Statement>()
  client.prepare = ((text: string, ...rest: Array<unknown>) => {
    // Bound parameters given to prepare itself would stick to the statement: only bare texts are kept.
    if (rest.length > 0) return (compile as (...a: Array<unknown>) => Statement)(text, ...rest)
    const hit = kept.get(text)
    if (hit) return hit
    const statement = compile(text)
    // The oldest text goes first (Map keeps insertion order).
    if (kept.size >= limit) kept.delete(kept.keys().next().value!)
    kept.set(text, statement)
    return statement
  }) as Database["prepare"]
}
