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
    // Whether the session that took the lock (its pid and start time) still holds it, asked over the pool:
    // the reserved handle outlives its session (postgres.js reconnects it), so asking it proves nothing.
    const stillHeld = (session: { readonly pid: number; readonly started: string }) =>
      handle.client`select exists(
          select 1 from pg_locks l join pg_stat_activity a on a.pid = l.pid
          where l.locktype = 'advisory' and l.granted and l.pid = ${session.pid} and a.backend_start = ${session.started}::timestamptz
            and l.classid::bigint = ((${key}::bigint >> 32) & 4294967295) and l.objid::bigint = (${key}::bigint & 4294967295) and l.objsubid = 1
        ) as held`.then(([row]) => row?.held === true, () => false)
    return yield* Effect.acquireUseRelease(
      Effect.tryPromise({
        try: async () => {
          const conn = await handle.client.reserve()
          try {
            const [row] = await conn`select pg_try_advisory_lock(${key}::bigint) as locked, pg_backend_pid() as pid, (select backend_start from pg_stat_activity where pid = pg_backend_pid())::text as started`
            return { conn, locked: row?.locked === true, session: { pid: Number(row?.pid), started: String(row?.started) } }
          } catch (e) {
            conn.release()
            throw e
          }
        },
        catch: (cause) => new StoreUnavailable({ cause }),
      }),
      ({ locked, session }): Effect.Effect<JobRun<A>, E, Exclude<R, JobLease>> => {
        if (!locked) return Effect.succeed({ ran: false as const })
        const held = Effect.promise(() => stillHeld(session))
        return Effect.map(Effect.provideService(job, JobLease, { held }), (value) => ({ ran: true as const, value }))
      },
      ({ conn, locked, session }) =>
        Effect.promise(async () => {
          try {
            // Only on a session that is alive and holds it: a query on a handle whose session died fails outside any catch.
            if (locked && (await stillHeld(session))) await conn`select pg_advisory_unlock(${key}::bigint)`
          } catch {
            // A broken connection drops its session locks with it.
          } finally {
            conn.release()
          }
        }),
    )
  })
