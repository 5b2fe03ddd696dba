// The one seam between repositories and the two dialects: a repository is
// written once against this port, and only what truly differs between SQLite
// and Postgres is chosen with `onDialect` (row locks, SKIP LOCKED, advisory
// locks, the prepared statements of SQLite's hot path).
//
// Queries are drizzle's own: its `sql` template, or its query builder over
// `t`, the tables. The builder and the tables are typed as SQLite's; on
// Postgres they are Postgres's. That is sound for what repositories build
// (select/insert/update/delete with where, order, limit, returning, on
// conflict) because schema.pg.ts is column-for-column equal to
// schema.sqlite.ts (the contract suites run every repository on both), and
// because nothing here lets a builder run itself: only the port executes.
import type { SQL } from "drizzle-orm"
import { Effect, Exit } from "effect"
import type { DatabaseHandle, SqliteDb } from "../platform/db/database"
import * as pgTables from "../platform/db/schema.pg"
import * as tables from "../platform/db/schema.sqlite"
import { StoreUnavailable } from "../platform/db/errors"
import { attempt } from "./attempt"

export type Dialect = "sqlite" | "postgres"

/** A query the port can run: drizzle's `sql`, or a built select/insert/update/delete. */
export type Query<R> = SQL | { readonly all: () => ReadonlyArray<R> } | { readonly run: () => unknown }

export type SqlPort = {
  readonly dialect: Dialect
  /** The query builder (drizzle's `db`): build with it, run with the port. */
  readonly db: SqliteDb
  readonly t: typeof tables
  /** Every row of a query; a `sql` statement's rows are as the driver returns them (Postgres bigints as strings). */
  readonly all: <R = Record<string, unknown>>(query: Query<R>) => Effect.Effect<ReadonlyArray<R>, StoreUnavailable>
  /** The first row, or undefined (limit the query yourself). */
  readonly first: <R = Record<string, unknown>>(query: Query<R>) => Effect.Effect<R | undefined, StoreUnavailable>
  /** Runs a statement for its effect. */
  readonly run: (query: Query<unknown>) => Effect.Effect<void, StoreUnavailable>
  /**
   * Runs `body` in one transaction: all of it or nothing. On SQLite the body
   * must be synchronous (every port call is): it runs inside BEGIN IMMEDIATE,
   * so the write lock is taken before its first read and nothing interleaves.
   */
  readonly transaction: <A, E>(body: (tx: SqlPort) => Effect.Effect<A, E>) => Effect.Effect<A, E | StoreUnavailable>
  readonly onDialect: <A>(cases: { readonly sqlite: () => A; readonly postgres: () => A }) => A
}

const isSql = (q: unknown): q is SQL => typeof q === "object" && q !== null && "queryChunks" in q

// Thrown inside the driver's transaction callback so that it rolls back; the
// body's own exit is returned instead.
const ROLLBACK = Symbol("rollback")

const resultOf = <A, E>(exit: Exit.Exit<A, E>): Effect.Effect<A, E> => (Exit.isSuccess(exit) ? Effect.succeed(exit.value) : Effect.failCause(exit.cause))

export const sqlitePort = (db: SqliteDb): SqlPort => {
  const rows = <R>(q: Query<R>): ReadonlyArray<R> => (isSql(q) ? db.all<R>(q) : "all" in q ? q.all() : ((q as { run: () => unknown }).run(), []))
  const port: SqlPort = {
    dialect: "sqlite",
    db,
    t: tables,
    all: (q) => attempt(() => rows(q)),
    first: (q) => attempt(() => rows(q)[0]),
    run: (q) => attempt(() => void (isSql(q) ? db.run(q) : "run" in q ? q.run() : rows(q))),
    transaction: <A, E>(body: (tx: SqlPort) => Effect.Effect<A, E>) =>
      Effect.suspend((): Effect.Effect<A, E | StoreUnavailable> => {
        let exit: Exit.Exit<A, E> | undefined
        try {
          db.$client
            .transaction(() => {
              exit = Effect.runSyncExit(body(port))
              if (Exit.isFailure(exit)) throw ROLLBACK
            })
            .immediate()
        } catch (cause) {
          if (cause !== ROLLBACK) return Effect.fail(new StoreUnavailable({ cause }))
        }
        return resultOf(exit!)
      }),
    onDialect: (cases) => cases.sqlite(),
  }
  return port
}

/** The part of drizzle's Postgres database (or transaction) the port uses. */
type PgRunner = { readonly execute: (q: SQL) => PromiseLike<Iterable<unknown>>; readonly transaction: <A>(f: (tx: PgRunner) => Promise<A>) => PromiseLike<A> }

export const pgPort = (db: PgRunner): SqlPort => {
  // Drizzle's Postgres builders are thenables that resolve to their rows.
  const rows = async <R>(q: Query<R>): Promise<ReadonlyArray<R>> =>
    isSql(q) ? ([...(await db.execute(q))] as Array<R>) : [...((await (q as unknown as PromiseLike<Iterable<R> | undefined>)) ?? [])]
  const port: SqlPort = {
    dialect: "postgres",
    db: db as unknown as SqliteDb,
    t: pgTables as unknown as typeof tables,
    all: (q) => attempt(() => rows(q)),
    first: (q) => attempt(async () => (await rows(q))[0]),
    run: (q) => attempt(async () => void (await rows(q))),
    transaction: <A, E>(body: (tx: SqlPort) => Effect.Effect<A, E>) =>
      Effect.suspend((): Effect.Effect<A, E | StoreUnavailable> => {
        let exit: Exit.Exit<A, E> | undefined
        return Effect.tryPromise({
          try: () =>
            db.transaction(async (tx) => {
              exit = await Effect.runPromiseExit(body(pgPort(tx)))
              if (Exit.isFailure(exit)) throw ROLLBACK
            }),
          catch: (cause) => cause,
        }).pipe(
          Effect.matchEffect({
            onSuccess: (): Effect.Effect<A, E | StoreUnavailable> => resultOf(exit!),
            onFailure: (cause): Effect.Effect<A, E | StoreUnavailable> => (cause === ROLLBACK ? resultOf(exit!) : Effect.fail(new StoreUnavailable({ cause }))),
          }),
        )
      }),
    onDialect: (cases) => cases.postgres(),
  }
  return port
}

/** The port over the open database. */
export const portOf = (handle: DatabaseHandle): SqlPort => (handle.kind === "sqlite" ? sqlitePort(handle.db) : pgPort(handle.db as unknown as PgRunner))
