// A job's lease on SQLite. The server and the CLI are separate processes on
// one database file, so "one run at a time" needs a record both can see: a
// row in job_leases naming the holder until a time. Taking it is one statement
// (insert, or take over a lease that has lapsed), so two processes cannot both
// hold it; the holder renews it while the job runs and deletes it after. A
// process that dies holding it leaves it to lapse (a minute) and the next run
// takes it over.
import type { Database as BunSqlite } from "bun:sqlite"
import { randomBytes } from "node:crypto"
import { Duration, Effect } from "effect"
import { StoreUnavailable } from "../db/errors"

/** How long a lease lasts unless renewed, and how often its holder renews it (well inside it, so a busy moment does not let it lapse), ms. */
export type LeaseTimes = { readonly leaseMs: number; readonly renewEveryMs: number }

/** A crashed holder's job can run again a minute later. */
export const LEASE_TIMES: LeaseTimes = { leaseMs: 60_000, renewEveryMs: 15_000 }

const take = `insert into job_leases (name, holder, expires_at) values (?1, ?2, ?3)
  on conflict (name) do update set holder = excluded.holder, expires_at = excluded.expires_at where job_leases.expires_at <= ?4
  returning holder`
const renew = `update job_leases set expires_at = ?3 where name = ?1 and holder = ?2`
const give = `delete from job_leases where name = ?1 and holder = ?2`

const statement = <A>(f: () => A) => Effect.try({ try: f, catch: (cause) => new StoreUnavailable({ cause }) })

/** Runs `job` if this process can take the lease `name` now; `undefined` when another holds it. */
export const withSqliteLease = <A, E, R>(client: BunSqlite, name: string, job: Effect.Effect<A, E, R>, times: LeaseTimes = LEASE_TIMES): Effect.Effect<{ readonly value: A } | undefined, E | StoreUnavailable, R> =>
  Effect.acquireUseRelease(
    statement(() => {
      const holder = randomBytes(12).toString("base64url")
      const now = Date.now()
      const row = client.query<{ holder: string }, [string, string, number, number]>(take).get(name, holder, now + times.leaseMs, now)
      return row?.holder === holder ? holder : undefined
    }),
    (holder) => {
      if (holder === undefined) return Effect.succeed(undefined)
      const keep = Effect.forever(
        Effect.andThen(
          Effect.sleep(Duration.millis(times.renewEveryMs)),
          statement(() => client.query(renew).run(name, holder, Date.now() + times.leaseMs)).pipe(
            Effect.flatMap((r) => (r.changes === 1 ? Effect.void : Effect.logWarning("a job's lease lapsed while it ran; another run may have started", { job: name }))),
            Effect.catch((e) => Effect.logWarning("a job's lease could not be renewed", { job: name, error: e._tag })),
          ),
        ),
      )
      return Effect.scoped(Effect.andThen(Effect.forkScoped(keep), Effect.map(job, (value) => ({ value }))))
    },
    (holder) => (holder === undefined ? Effect.void : Effect.ignore(statement(() => client.query(give).run(name, holder)))),
  )
