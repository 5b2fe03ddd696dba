// Runs a job on at most one instance or process at a time; one that finds it
// taken skips this round instead of queueing behind it. On Postgres the job
// holds a session advisory lock on one reserved connection for its whole run
// (pg_try_advisory_lock). On SQLite the server and the CLI share the file, so
// the job holds a lease row there (sqlite-lease.ts).
import { createHash } from "node:crypto"
import { Context, Effect } from "effect"
import { Database } from "../db/database"
import { StoreUnavailable } from "../db/errors"
import { JobLeaseLost } from "./errors"
import { withSqliteLease, type HeldLease } from "./sqlite-lease"

export type JobRun<A> = { readonly ran: true; readonly value: A } | { readonly ran: false }

/**
 * The lock a running job holds (withJobLock provides it). A job that moves
 * money asks `held` just before each payment: a job that has lost its lock
 * must not send what another run may be sending too.
 */
export class JobLease extends Context.Service<JobLease, HeldLease>()("tdk/JobLease") {}

/** Fails with JobLeaseLost unless the running job `job` still holds its lock: asked just before a payment. */
export const stillHolding = (job: string): Effect.Effect<void, JobLeaseLost, JobLease> =>
  Effect.gen(function* () {
    const lease = yield* JobLease
    if (!(yield* lease.held)) return yield* new JobLeaseLost({ job })
  })

/** A stable signed 64-bit advisory lock key for a job name (as text, for a ::bigint cast). */
export const jobLockKey = (name: string): string => createHash("sha256").update(`tdk-job:${name}`).digest().readBigInt64BE(0).toString()

export const withJobLock = <A, E, R>(name: string, job: Effect.Effect<A, E, R>): Effect.Effect<JobRun<A>, E | StoreUnavailable | JobLeaseLost, Exclude<R, JobLease> | Database> =>
  Effect.gen(function* () {
    const handle = yield* Database
    if (handle.kind === "sqlite") {
      const run = yield* withSqliteLease(handle.client, name, (lease) => Effect.provideService(job, JobLease, lease))
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
      ({ conn, locked }): Effect.Effect<JobRun<A>, E, Exclude<R, JobLease>> => {
        if (!locked) return Effect.succeed({ ran: false as const })
        // A session lock lasts as long as its session: held while the reserved connection answers.
        const held = Effect.promise(() => conn`select 1 as alive`.then(() => true, () => false))
        return Effect.map(Effect.provideService(job, JobLease, { held }), (value) => ({ ran: true as const, value }))
      },
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
