// The limiter store's lockout (login throttling) and its GCRA over a window
// other than a minute (sign-up throttling), on every backend: the same
// decisions whether state lives in memory, Postgres or Redis.
import { afterEach, describe, expect, test } from "bun:test"
import { Effect } from "effect"
import type { BackoffRule } from "../../src/modules/limits/backoff"
import { LimitsBackend } from "../../src/modules/limits/backend"
import { backends, harness, type Harness } from "./backends"

let h: Harness | undefined
afterEach(async () => {
  await h?.close()
  h = undefined
})

const rule: BackoffRule = { free: 5, baseMs: 60_000, maxMs: 900_000, forgetMs: 900_000 }
const HOUR = 3_600_000

const attempt = (key: string) => LimitsBackend.use((s) => s.backoff.attempt(key, rule, h!.clock.now()))
const wait = (key: string) => LimitsBackend.use((s) => s.backoff.wait(key, rule, h!.clock.now()))
const run = <A, E>(e: Effect.Effect<A, E, LimitsBackend>) => h!.runtime.runPromise(e)

for (const backend of backends) {
  describe(`limits store backoff and windowed GCRA: ${backend}`, () => {
    test("50 concurrent attempts on one key admit exactly `free`; the rest are told the lock's length", async () => {
      h = await harness(backend)
      const ds = await run(Effect.all(Array.from({ length: 50 }, () => attempt("login:pair:a")), { concurrency: "unbounded" }))
      expect(ds.filter((d) => d.allowed).length).toBe(5)
      expect(ds.filter((d) => !d.allowed).every((d) => d.retryAfterMs === 60_000)).toBe(true)
      expect(await run(wait("login:pair:a"))).toBe(60_000)
      expect(await run(wait("login:pair:b"))).toBe(0)
    })

    test("each attempt after a lock doubles it; clear starts over", async () => {
      h = await harness(backend)
      for (let i = 0; i < 5; i++) expect(await run(attempt("k"))).toEqual({ allowed: true, retryAfterMs: 0 })
      h.clock.advance(59_999)
      expect(await run(attempt("k"))).toEqual({ allowed: false, retryAfterMs: 1 })
      h.clock.advance(1)
      expect(await run(attempt("k"))).toEqual({ allowed: true, retryAfterMs: 0 })
      expect(await run(attempt("k"))).toEqual({ allowed: false, retryAfterMs: 120_000 })
      h.clock.advance(120_000)
      expect((await run(attempt("k"))).allowed).toBe(true)
      expect(await run(wait("k"))).toBe(240_000)
      await run(LimitsBackend.use((s) => s.backoff.clear("k")))
      expect(await run(wait("k"))).toBe(0)
      expect((await run(attempt("k"))).allowed).toBe(true)
    })

    test("a key is forgotten a window after its lock ends", async () => {
      h = await harness(backend)
      for (let i = 0; i < 5; i++) await run(attempt("k"))
      h.clock.advance(60_000 + 900_000 - 1)
      // Still remembered: this attempt is the sixth and locks for 2 minutes.
      expect(await run(attempt("k"))).toEqual({ allowed: true, retryAfterMs: 0 })
      expect(await run(wait("k"))).toBe(120_000)
      h.clock.advance(120_000 + 900_000)
      for (let i = 0; i < 4; i++) expect((await run(attempt("k"))).allowed).toBe(true)
      expect(await run(wait("k"))).toBe(0)
    })

    test("10 an hour: a burst of 10, then one every 6 minutes, with the wait in the decision", async () => {
      h = await harness(backend)
      const check = () => run(LimitsBackend.use((s) => s.gcra("signup:198.51.100.1", 10, h!.clock.now(), HOUR)))
      const ds = await run(Effect.all(Array.from({ length: 15 }, () => LimitsBackend.use((s) => s.gcra("signup:198.51.100.1", 10, h!.clock.now(), HOUR))), { concurrency: "unbounded" }))
      expect(ds.filter((d) => d.allowed).length).toBe(10)
      expect(ds.filter((d) => !d.allowed).every((d) => d.retryAfterMs === 360_000)).toBe(true)
      expect((await run(LimitsBackend.use((s) => s.gcra("signup:198.51.100.2", 10, h!.clock.now(), HOUR)))).allowed).toBe(true)
      h.clock.advance(359_999)
      expect((await check()).allowed).toBe(false)
      h.clock.advance(1)
      expect((await check()).allowed).toBe(true)
      expect((await check()).allowed).toBe(false)
    })

    test("the sweep drops only idle state, which decides as no state does: a live lock and a spent rate survive it", async () => {
      h = await harness(backend)
      const gcra = (key: string, perWindow: number, windowMs: number) => LimitsBackend.use((s) => s.gcra(key, perWindow, h!.clock.now(), windowMs))
      for (let i = 0; i < 6; i++) await run(attempt("login:pair:locked"))
      await run(gcra("signup:spent", 1, HOUR))
      await run(gcra("rate:idle", 60, 60_000))
      h.clock.advance(10_000)
      // Idle now: the 60/min row (its time passed after 1 s). Live: the 60 s lock and the hourly rate.
      const swept = await run(LimitsBackend.use((s) => s.sweep(h!.clock.now())))
      expect(swept).toBe(backend === "postgres" ? 1 : 0)
      expect((await run(attempt("login:pair:locked"))).allowed).toBe(false)
      expect((await run(gcra("signup:spent", 1, HOUR))).allowed).toBe(false)
      expect((await run(gcra("rate:idle", 60, 60_000))).allowed).toBe(true)
    })
  })
}
