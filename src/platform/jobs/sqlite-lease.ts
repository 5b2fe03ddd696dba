// A job's lease on SQLite. The server and the CLI are separate processes on
// one database file, so "one run at a time" needs a record both can see: a
// row in job_leases naming the holder until a time. Taking it is one statement
// (insert, or take over a lease that has lapsed), so two processes cannot both
// hold it; the holder renews it while the job runs and deletes it after. A
// process that dies holding it leaves it to lapse (a minute) and the next run
// takes it over.
//
// A holder can lose it while running: paused (Ctrl-Z, a stopped container)
// past the lease, another process takes it over. Then the job is stopped at
// once (its renewal finds the row gone, or has not succeeded for a whole
// lease), and a job that moves money also asks `held` before each send.
import type { Database as BunSqlite } from "bun:sqlite"
import { Duration, Effect, Exit } from "effect"
import { StoreUnavailable } from "../db/errors"
import { JobLeaseLost } from "./errors"
import { holderIsGone, newHolder } from "./lease-holder"

/** How long a lease lasts unless renewed, and how often its holder renews it (well inside it, so a busy moment does not let it lapse), ms. */
export type LeaseTimes = { readonly leaseMs: number; readonly renewEveryMs: number }

/** A crashed holder's job can run again a minute later. */
export const LEASE_TIMES: LeaseTimes = { leaseMs: 60_000, renewEveryMs: 15_000 }

const take = `insert into job_leases (name, holder, expires_at) values (?1, ?2, ?3)
  on conflict (name) do update set holder = excluded.holder, expires_at = excluded.expires_at where job_leases.expires_at <= ?4
  returning holder`
// Only from the holder read just before: if another process took it over meanwhile, nothing changes.
const takeFromGone = `update job_leases set holder = ?3, expires_at = ?4 where name = ?1 and holder = ?2 returning holder`
const current = `select holder from job_leases where name = ?1`
const renew = `update job_leases set expires_at = ?3 where name = ?1 and holder = ?2`
const still = `select 1 as held from job_leases where name = ?1 and holder = ?2 and expires_at > ?3`
const give = `delete from job_leases where name = ?1 and holder = ?2`

const statement = <A>(f: () => A) => Effect.try({ try: f, catch: (cause) => new StoreUnavailable({ cause }) })

/** The lease a running job holds: whether it still does, asked just before an action another run must not repeat. */
export type HeldLease = { readonly held: Effect.Effect<boolean> }

/** Runs `job` if this process can take the lease `name` now; `undefined` when another holds it. Fails with JobLeaseLost, the job stopped, if the lease is lost while it runs. */
export const withSqliteLease = <A, E, R>(
  client: BunSqlite,
  name: string,
  job: (lease: HeldLease) => Effect.Effect<A, E, R>,
  times: LeaseTimes = LEASE_TIMES,
): Effect.Effect<{ readonly value: A } | undefined, E | StoreUnavailable | JobLeaseLost, R> =>
  Effect.acquireUseRelease(
    Effect.flatMap(
      statement(() => {
        const holder = newHolder()
        const now = Date.now()
        const row = client.query<{ holder: string }, [string, string, number, number]>(take).get(name, holder, now + times.leaseMs, now)
        if (row?.holder === holder) return { holder, fromGone: false }
        const other = client.query<{ holder: string }, [string]>(current).get(name)?.holder
        if (other === undefined || !holderIsGone(other)) return { holder: undefined, fromGone: false }
        const taken = client.query<{ holder: string }, [string, string, string, number]>(takeFromGone).get(name, other, holder, now + times.leaseMs)
        return taken?.holder === holder ? { holder, fromGone: true } : { holder: undefined, fromGone: false }
      }),
      ({ holder, fromGone }) => (fromGone ? Effect.as(Effect.logWarning("took over a job's lease from a process that is gone", { job: name }), holder) : Effect.succeed(holder)),
    ),
    (holder) => {
      if (holder === undefined) return Effect.succeed(undefined)
      const held: Effect.Effect<boolean> = statement(() => client.query(still).get(name, holder, Date.now()) !== null).pipe(Effect.orElseSucceed(() => false))
      // Renews until the job ends; fails (which stops the job) once the lease is lost.
      const keep = Effect.gen(function* () {
        let renewedAt = Date.now()
        for (;;) {
          yield* Effect.sleep(Duration.millis(times.renewEveryMs))
          const renewed = yield* Effect.exit(statement(() => client.query(renew).run(name, holder, Date.now() + times.leaseMs)))
          if (Exit.isSuccess(renewed) && renewed.value.changes === 1) renewedAt = Date.now()
          else if (Exit.isSuccess(renewed) || Date.now() - renewedAt >= times.leaseMs) return yield* new JobLeaseLost({ job: name })
          else yield* Effect.logWarning("a job's lease could not be renewed; trying again", { job: name })
        }
      })
      return Effect.raceFirst(
        Effect.map(job({ held }), (value) => ({ value })),
        keep.pipe(Effect.tapError(() => Effect.logError("a job lost its lease to another run and was stopped", { job: name }))),
      )
    },
    (holder) => (holder === undefined ? Effect.void : Effect.ignore(statement(() => client.query(give).run(name, holder)))),
  )
