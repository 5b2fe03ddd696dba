// The cron job lock: on Postgres one holder at a time (others skip), released
// after the job, also when it fails; on SQLite the job simply runs.
import { describe, expect, test } from "bun:test"
import { Effect, Exit } from "effect"
import postgres from "postgres"
import { jobLockKey, withJobLock } from "../../src/platform/jobs/lock"
import { Database } from "../../src/platform/db/database"
import { makeTestApp } from "../support/app"
import { dialects } from "../support/db"

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
})
