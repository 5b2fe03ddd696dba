// A SQLite job lease whose holder died (SIGKILL, a crash) is taken over at
// once by a process on the same machine that can tell the holder is gone,
// instead of blocking the job until the lease lapses; a holder that is alive,
// or that this process cannot judge, keeps it.
import { describe, expect, test } from "bun:test"
import { Effect } from "effect"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { closeDatabase, openDatabase } from "../../src/platform/db/database"
import { runMigrations } from "../../src/platform/db/migrations"
import { holderIsGone, judgesDeadHolders, newHolder, pidAlive } from "../../src/platform/jobs/lease-holder"
import { withSqliteLease } from "../../src/platform/jobs/sqlite-lease"

const place = "6960e943-950a-40bd-99a2-ae7adf47a624.4026531836"
const dead = () => false
const alive = () => true

describe("holderIsGone", () => {
  test("a holder in this place whose pid no longer exists is gone", () => {
    expect(holderIsGone(`${place}:4242:abc`, place, dead)).toBe(true)
  })

  test("a holder whose pid is alive, in another place, or written unlike a holder name is not", () => {
    expect(holderIsGone(`${place}:4242:abc`, place, alive)).toBe(false)
    expect(holderIsGone(`other-boot.4026531836:4242:abc`, place, dead)).toBe(false)
    expect(holderIsGone(`unknown:4242:abc`, place, dead)).toBe(false)
    expect(holderIsGone(`dead-process`, place, dead)).toBe(false)
    expect(holderIsGone(`${place}:0:abc`, place, dead)).toBe(false)
  })

  test("where /proc does not tell this process's place, no holder is judged gone", () => {
    expect(holderIsGone(`unknown:4242:abc`, null, dead)).toBe(false)
  })

  test("this process is never gone; its holder names carry its pid", () => {
    const mine = newHolder()
    expect(mine.split(":")[1]).toBe(String(process.pid))
    expect(holderIsGone(mine)).toBe(false)
    expect(pidAlive(process.pid)).toBe(true)
  })
})

describe("SQLite lease of a process killed holding it", () => {
  test("while the holder runs another process skips the job; once it is SIGKILLed the job runs at once, not a minute later", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tdk-lease-kill-"))
    const path = join(dir, "tdk.db")
    const handle = openDatabase({ dialect: "sqlite", path })
    if (handle.kind !== "sqlite") throw new Error("sqlite expected")
    await runMigrations(handle)
    const child = Bun.spawn(["bun", join(import.meta.dir, "../support/lease-child.ts"), path, "pool-funding"], { stdout: "pipe", stderr: "inherit" })
    try {
      const reader = child.stdout.getReader()
      const { value } = await reader.read()
      expect(new TextDecoder().decode(value)).toContain("held")
      const row = handle.client.query<{ holder: string; expires_at: number }, []>("select holder, expires_at from job_leases where name = 'pool-funding'").get()
      expect(row?.holder.split(":")[1]).toBe(String(child.pid))
      expect(row!.expires_at).toBeGreaterThan(Date.now() + 30_000)

      expect(await Effect.runPromise(withSqliteLease(handle.client, "pool-funding", () => Effect.succeed("beside a live holder")))).toBeUndefined()

      child.kill("SIGKILL")
      await child.exited
      // The dead holder's row is still there, valid for most of a minute.
      expect(handle.client.query("select count(*) as n from job_leases where expires_at > ?").get(Date.now())).toEqual({ n: 1 })
      if (!judgesDeadHolders) {
        // No /proc here: the dead holder's lease can only lapse, as before.
        expect(await Effect.runPromise(withSqliteLease(handle.client, "pool-funding", () => Effect.succeed("too soon")))).toBeUndefined()
        return
      }
      expect(await Effect.runPromise(withSqliteLease(handle.client, "pool-funding", () => Effect.succeed("taken over")))).toEqual({ value: "taken over" })
      expect(handle.client.query("select count(*) as n from job_leases").get()).toEqual({ n: 0 })
    } finally {
      child.kill("SIGKILL")
      await closeDatabase(handle)
      rmSync(dir, { recursive: true, force: true })
    }
  }, 30_000)
})
