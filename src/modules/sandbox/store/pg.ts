// The sandbox store on the gateway's Postgres: schema `sandbox` in the same
// database and the gateway's own connection pool, so every gateway instance
// sees one sandbox. `drop schema sandbox cascade` removes it without touching
// real data; the next start creates it again.
import { sql } from "drizzle-orm"
import { Effect, Exit } from "effect"
import type { PgDb } from "../../../platform/db/database"
import { pgSchema } from "./schema"
import type { SandboxSql, SandboxStore } from "./sql"

// Two instances starting together would both try `create schema`, and one of
// them would fail on the catalog's unique index: creation runs under a lock.
const SCHEMA_LOCK = sql`select pg_advisory_xact_lock(hashtext('tdk.sandbox.schema'))`

// Sandbox write transactions run one at a time across instances. Row locks
// alone would deadlock: a payment locks the payer's balance then the owner's,
// a refund the owner's then the payer's. Sandbox traffic is small, and every
// debit is still guarded by its own `amount >= x` check.
const WRITE_LOCK = sql`select pg_advisory_xact_lock(hashtext('tdk.sandbox.write'))`

/** Carries a failed body's exit out of drizzle's transaction, which rolls back on a throw. */
class RolledBack<A, E> {
  constructor(readonly exit: Exit.Exit<A, E>) {}
}

type Executor = Pick<PgDb, "execute">

const statementsOf = (executor: Executor): SandboxSql => ({
  rows: <T>(query: Parameters<SandboxSql["rows"]>[0]) =>
    Effect.promise(async () => [...(await executor.execute(query))] as unknown as ReadonlyArray<T>),
})

export const createPgSchema = (db: PgDb): Effect.Effect<void> =>
  Effect.promise(() =>
    db.transaction(async (tx) => {
      await tx.execute(SCHEMA_LOCK)
      for (const statement of pgSchema) await tx.execute(sql.raw(statement))
    }),
  )

export const pgStore = (db: PgDb): SandboxStore => ({
  dialect: "postgres",
  ...statementsOf(db),
  transaction: <A, E>(body: (tx: SandboxSql) => Effect.Effect<A, E>) =>
    Effect.flatten(
      Effect.promise(() =>
        db
          .transaction(async (tx) => {
            await tx.execute(WRITE_LOCK)
            const exit = await Effect.runPromiseExit(body(statementsOf(tx)))
            if (Exit.isFailure(exit)) throw new RolledBack(exit)
            return exit
          })
          .catch((e: unknown) => {
            if (e instanceof RolledBack) return e.exit as Exit.Exit<A, E>
            throw e
          }),
      ),
    ),
})
