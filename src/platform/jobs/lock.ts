// Runs a job on at most one instance or process at a time; one that finds it
// taken skips this round instead of queueing behind it. On Postgres the job
// holds a session advisory lock on one reserved connection for its whole run
// (pg_try_advisory_lock). On SQLite the server and the CLI share the file, so
// the job holds a lease row there (sqlite-lease.ts).
import { createHash } from "node:crypto"
import { Effect } from "effect"
import { Database } from "../db/database"
import { StoreUnavailable } from "../db/errors"
import { withSqliteLease } from "./sqlite-lease"

export type JobRun<A> = { readonly ran: true; readonly value: A } | { readonly ran: false }

/** A stable signed 64-bit advisory lock key for a job name (as text, for a ::bigint cast). */
export const jobLockKey = (name: string): string => createHash("sha256").update(`tdk-job:${name}`).digest().readBigInt64BE(0).toString()

export const withJobLock = <A, E, R>(name: string, job: Effect.Effect<A, E, R>): Effect.Effect<JobRun<A>, E | StoreUnavailable, R | Database> =>
  Effect.gen(function* () {
    const handle = yield* Database
    if (handle.kind === "sqlite") {
      const run = yield* withSqliteLease(handle.client, name, job)
      return (run === undefined ? { ran: false } : { ran: true, value: run.value }) as JobRun<A>
    }
    const key = jobLockKey(name)
    return yield* Effect.acquireUseRelease(
      Effect.tryPromise({
        try: async () => {
          const conn = await handle.client.reserve()
          try {
            const [row] = await conn`select pg_try_advisory_lock(${key}::bigint) as locked`
            return { conn, locked: row?.locked === true }
          } catch (e) {
            conn.release()
            throw e
          }
        },
        catch: (cause) => new StoreUnavailable({ cause }),
      }),
      ({ locked }): Effect.Effect<JobRun<A>, E, R> => (locked ? Effect.map(job, (value) => ({ ran: true as const, value })) : Effect.succeed({ ran: false as const })),
      ({ conn, locked }) =>
        Effect.promise(async () => {
          try {
            if (locked) await conn`select pg_advisory_unlock(${key}::bigint)`
          } catch {
            // A broken connection drops its session locks with it.
          } finally {
            conn.release()
          }
        }),
    )
  })
