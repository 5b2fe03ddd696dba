// How the sandbox reaches its tables on either dialect. Each statement is
// written once with drizzle's `sql` template against the schema `sandbox`:
// on Postgres a schema in the gateway's database, on SQLite the sandbox's own
// file attached under that name. Statements that change rows end in
// `returning`, so "rows changed" is the length of the answer on both.
import type { SQL } from "drizzle-orm"
import type { Effect } from "effect"

export type SandboxSql = {
  /**
   * One statement's rows. A driver error is a defect: the sandbox stands in for
   * an external system and has no retry of its own to offer.
   */
  readonly rows: <T = Record<string, unknown>>(query: SQL) => Effect.Effect<ReadonlyArray<T>>
}

export type SandboxStore = SandboxSql & {
  readonly dialect: "sqlite" | "postgres"
  /**
   * Runs `body` in one transaction, committed when it succeeds and rolled back
   * when it fails. On SQLite the body runs synchronously (bun:sqlite
   * transactions are), so it may only run statements through `tx`: no sleeps,
   * no other I/O.
   */
  readonly transaction: <A, E>(body: (tx: SandboxSql) => Effect.Effect<A, E>) => Effect.Effect<A, E>
}

/** Postgres returns bigint columns and sums as strings; every amount the sandbox keeps is a safe integer. */
export const int = (value: unknown): number => {
  const n = typeof value === "number" ? value : Number(value)
  if (!Number.isSafeInteger(n)) throw new RangeError(`sandbox integer out of range: ${String(value)}`)
  return n
}
