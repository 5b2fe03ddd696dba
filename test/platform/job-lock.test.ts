// The job lock: one holder at a time (others skip), released after the job,
// also when it fails. On Postgres a session advisory lock; on SQLite a lease
// row in the shared file, so the server and the CLI (two processes, here two
// connections) exclude each other, the holder renews it while it runs, and a
// lease left by a holder that died is taken over once it lapses.
import { describe, expect, test } from "bun:test"
import { Effect, Exit } from "effect"
import postgres from "postgres"
import { JobLease, jobLockKey, withJobLock } from "../../src/platform/jobs/lock"
import { Database } from "../../src/platform/db/database"
import { makeTestApp } from "../support/app"
import { dialects } from "../support/db"
import { Database as BunSqlite } from "bun:sqlite"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { closeDatabase, openDatabase } from "../../src/platform/db/database"
import { runMigrations } from "../../src/platform/db/migrations"
import { withSqliteLease } from "../../src/platform/jobs/sqlite-lease"

describe("job lock", () => {
  test("keys are stable per name and differ between names", () => {
    expect(jobLockKey("pool-balances")).toBe(jobLockKey("pool-balances"))
    expect(jobLockKey("pool-balances")).not.toBe(jobLockKey("sandbox-bootstrap"))
    expect(BigInt(jobLockKey("x"))).toBeLessThan(2n ** 63n)
  })

  for (const dialect of dialects) {
    test(`${dialect}: runs the job when free${dialect === "postgres" ? "; skips while another session holds it; released after a failure" : ""}`, async () => {
      const h = await makeTestApp(dialect)
      try {
        let runs = 0
        const job = Effect.sync(() => ++runs)
        expect(await h.runtime.runPromise(withJobLock("t", job))).toEqual({ ran: true, value: 1 })
        if (dialect !== "postgres") return
        const handle = await h.runtime.runPromise(Effect.gen(function* () {
          return yield* Database
        }))
        if (handle.kind !== "postgres") throw new Error("expected postgres")
        const other = postgres(handle.url, { max: 1, onnotice: () => {} })
        try {
          await other`select pg_advisory_lock(${jobLockKey("t")}::bigint)`
          expect(await h.runtime.runPromise(withJobLock("t", job))).toEqual({ ran: false })
          expect(await h.runtime.runPromise(withJobLock("other-job", job))).toEqual({ ran: true, value: 2 })
          await other`select pg_advisory_unlock(${jobLockKey("t")}::bigint)`
          expect(Exit.isFailure(await h.runtime.runPromiseExit(withJobLock("t", Effect.fail("boom"))))).toBe(true)
          const [row] = await other`select pg_try_advisory_lock(${jobLockKey("t")}::bigint) as locked`
          expect(row?.locked).toBe(true)
          await other`select pg_advisory_unlock(${jobLockKey("t")}::bigint)`
        } finally {
          await other.end({ timeout: 5 })
        }
        expect(runs).toBe(2)
      } finally {
        await h.close()
      }
    })
  }

  if (dialects.includes("postgres"))
    test("postgres: a job whose session died (and whose lock another session then took) reads held false, and finishing it touches neither that lock nor the process", async () => {
      const h = await makeTestApp("postgres")
      const handle = await h.runtime.runPromise(Database)
      if (handle.kind !== "postgres") throw new Error("expected postgres")
      const other = postgres(handle.url, { max: 1, onnotice: () => {} })
      const third = postgres(handle.url, { max: 1, onnotice: () => {} })
      try {
        const key = jobLockKey("pool-funding")
        const seen: Array<boolean> = []
        const run = await h.runtime.runPromise(
          withJobLock(
            "pool-funding",
            Effect.gen(function* () {
              const lease = yield* JobLease
              seen.push(yield* lease.held)
              // The session holding the lock dies (a dropped connection), and another takes the lock.
              yield* Effect.promise(async () => {
                await other`select pg_terminate_backend(pid) from pg_locks where locktype = 'advisory' and granted and classid::bigint = ((${key}::bigint >> 32) & 4294967295) and objid::bigint = (${key}::bigint & 4294967295)`
                for (let i = 0; i < 50; i++) {
                  const [row] = await other`select pg_try_advisory_lock(${key}::bigint) as locked`
                  if (row?.locked) return
                  await Bun.sleep(20)
                }
                throw new Error("the lock was not freed")
              })
              // Pool traffic meanwhile (the reserved handle may be reconnected for it).
              yield* Effect.promise(() => handle.client`select 1`)
              seen.push(yield* lease.held)
              return "done"
            }),
          ),
        )
        expect(run).toEqual({ ran: true, value: "done" })
        expect(seen).toEqual([true, false])
        // The other session still holds it: a third cannot take it.
        const [row] = await third`select pg_try_advisory_lock(${jobLockKey("pool-funding")}::bigint) as locked`
        expect(row?.locked).toBe(false)
      } finally {
        await other.end({ timeout: 5 })
        await third.end({ timeout: 5 })
        await h.close()
      }
    })

  describe("SQLite lease, two processes on one file", () => {
    const opened = async () => {
      const dir = mkdtempSync(join(tmpdir(), "tdk-lease-"))
      const path = join(dir, "tdk.db")
      const server = openDatabase({ dialect: "sqlite", path })
      await runMigrations(server)
      const cli = openDatabase({ dialect: "sqlite", path })
      if (server.kind !== "sqlite" || cli.kind !== "sqlite") throw new Error("sqlite expected")
      return { server: server.client, cli: cli.client, path, close: async () => (await closeDatabase(server), await closeDatabase(cli), rmSync(dir, { recursive: true, force: true })) }
    }
    /** Runs `use` on a fresh file and its two connections, closed after. */
    const onOneFile = async (use: (f: Awaited<ReturnType<typeof opened>>) => Promise<void>) => {
      const f = await opened()
      try {
        await use(f)
      } finally {
        await f.close()
      }
    }
    const run = <A>(e: Effect.Effect<A, unknown>) => Effect.runPromise(e as Effect.Effect<A>)

    test("while one holds the job, the other skips it (other jobs run); once it ends, or fails, the other runs it", async () =>
      onOneFile(async (f) => {
        let release!: () => void
        const held = new Promise<void>((r) => (release = r))
        const first = run(withSqliteLease(f.server, "pool-refill", () => Effect.promise(() => held.then(() => "first"))))
        await Bun.sleep(20)
        expect(await run(withSqliteLease(f.cli, "pool-refill", () => Effect.succeed("second")))).toBeUndefined()
        expect(await run(withSqliteLease(f.cli, "pool-sweep", () => Effect.succeed("other")))).toEqual({ value: "other" })
        release()
        expect(await first).toEqual({ value: "first" })
        expect(await run(withSqliteLease(f.cli, "pool-refill", () => Effect.succeed("second")))).toEqual({ value: "second" })
        expect(Exit.isFailure(await Effect.runPromiseExit(withSqliteLease(f.server, "pool-refill", () => Effect.fail("boom"))))).toBe(true)
        expect(await run(withSqliteLease(f.cli, "pool-refill", () => Effect.succeed("after a failure")))).toEqual({ value: "after a failure" })
        expect(new BunSqlite(f.path).query("select count(*) as n from job_leases").get()).toEqual({ n: 0 })
      }))

    test("a job running longer than its lease keeps it (renewed), and the other process never gets in meanwhile", async () =>
      onOneFile(async (f) => {
        const times = { leaseMs: 150, renewEveryMs: 40 }
        const first = run(withSqliteLease(f.server, "pool-rotate", () => Effect.promise(() => Bun.sleep(600).then(() => "long")), times))
        const tries: Array<unknown> = []
        for (let i = 0; i < 10; i++) {
          await Bun.sleep(50)
          tries.push(await run(withSqliteLease(f.cli, "pool-rotate", () => Effect.succeed("intruder"), times)))
        }
        expect(tries.every((t) => t === undefined)).toBe(true)
        expect(await first).toEqual({ value: "long" })
      }))

    test("a holder that loses its lease while running (paused past it, another process took it over) is stopped: held turns false, its next step never runs, the run fails with JobLeaseLost", async () =>
      onOneFile(async (f) => {
        const times = { leaseMs: 150, renewEveryMs: 40 }
        let heldBefore: boolean | undefined
        let heldAfter: boolean | undefined
        let nextStepRan = false
        const exit = Effect.runPromiseExit(
          withSqliteLease(f.server, "pool-refill", (lease) =>
            Effect.gen(function* () {
              heldBefore = yield* lease.held
              // Another process takes the lease over (as it may once this one's lapsed).
              f.cli.query("update job_leases set holder = 'another-process', expires_at = ? where name = 'pool-refill'").run(Date.now() + 60_000)
              heldAfter = yield* lease.held
              yield* Effect.sleep("300 millis")
              nextStepRan = true
            }), times),
        )
        const result = await exit
        expect([heldBefore, heldAfter]).toEqual([true, false])
        expect(nextStepRan).toBe(false)
        expect(Exit.isFailure(result) && JSON.stringify(result.cause)).toContain("JobLeaseLost")
        // Its lease (now the other process's) is left alone.
        expect(f.cli.query("select holder from job_leases where name = 'pool-refill'").get()).toEqual({ holder: "another-process" })
      }))

    test("a lease its holder left behind (the process died holding it) blocks the job until it lapses, then is taken over", async () =>
      onOneFile(async (f) => {
        // The state a process killed mid-job leaves: its row, never deleted, valid for 300 ms more.
        f.server.query("insert into job_leases (name, holder, expires_at) values ('pool-refill', 'dead-process', ?)").run(Date.now() + 300)
        expect(await run(withSqliteLease(f.cli, "pool-refill", () => Effect.succeed("too soon")))).toBeUndefined()
        await Bun.sleep(350)
        expect(await run(withSqliteLease(f.cli, "pool-refill", () => Effect.succeed("taken over")))).toEqual({ value: "taken over" })
      }))

    test("the app's job lock on a SQLite file is the lease: a job another process holds is skipped", async () =>
      onOneFile(async (f) => {
        f.cli.query("insert into job_leases (name, holder, expires_at) values ('t', 'the-cli', ?)").run(Date.now() + 60_000)
        const app = openDatabase({ dialect: "sqlite", path: f.path })
        try {
          const layer = Database.fromHandle(app)
          expect(await Effect.runPromise(Effect.provide(withJobLock("t", Effect.succeed(1)), layer))).toEqual({ ran: false })
          expect(await Effect.runPromise(Effect.provide(withJobLock("u", Effect.succeed(2)), layer))).toEqual({ ran: true, value: 2 })
        } finally {
          await closeDatabase(app)
        }
      }))
  })
})
