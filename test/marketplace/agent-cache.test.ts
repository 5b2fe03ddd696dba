// Agents are reused for MARKETPLACE_AGENT_CACHE_TTL_MS, read from Effect's
// Clock: a test clock moves time, nothing sleeps.
import { afterEach, describe, expect, test } from "bun:test"
import { Effect, Fiber } from "effect"
import { TestClock } from "effect/testing"
import { AGENT_ID, agent, client, failureOf, json, startFake, type Fake } from "./fake-marketplace"

let fake: Fake | undefined
afterEach(() => fake?.stop())

const GET_AGENT = `GET /api/agents/${AGENT_ID}`

describe("marketplace client: agent cache", () => {
  test("within the TTL the cached agent is served; after it the new price is fetched", async () => {
    let price = 10_000
    fake = startFake(() => json({ ok: true, agent: agent({ price_base: price }) }))
    const m = client(fake.url, { agentCacheTtlMs: 30_000 })
    const program = Effect.gen(function* () {
      const first = yield* m.getAgent(AGENT_ID)
      price = 20_000
      yield* TestClock.adjust("29999 millis")
      const within = yield* m.getAgent(AGENT_ID)
      const requestsWithin = fake!.count(GET_AGENT)
      yield* TestClock.adjust("1 millis")
      const after = yield* m.getAgent(AGENT_ID)
      return { first: first.price_base, within: within.price_base, requestsWithin, after: after.price_base, requestsAfter: fake!.count(GET_AGENT) }
    })
    const r = await Effect.runPromise(program.pipe(Effect.provide(TestClock.layer())))
    expect(r).toEqual({ first: 10_000, within: 10_000, requestsWithin: 1, after: 20_000, requestsAfter: 2 })
  })

  test("a TTL of 0 disables the cache", async () => {
    fake = startFake(() => json({ ok: true, agent: agent() }))
    const m = client(fake.url, { agentCacheTtlMs: 0 })
    await Effect.runPromise(Effect.all([m.getAgent(AGENT_ID), m.getAgent(AGENT_ID)]).pipe(Effect.provide(TestClock.layer())))
    expect(fake.count(GET_AGENT)).toBe(2)
  })

  test("failures are not cached: after a not-found the next read asks again", async () => {
    fake = startFake((_, n) => (n === 1 ? json({ ok: false, error: "Agent not found" }, 404) : json({ ok: true, agent: agent() })))
    const m = client(fake.url, { agentCacheTtlMs: 30_000 })
    expect(await failureOf(m.getAgent(AGENT_ID))).toMatchObject({ _tag: "AgentNotFound" })
    const a = await Effect.runPromise(m.getAgent(AGENT_ID))
    expect(a.id).toBe(AGENT_ID)
    expect(fake.count(GET_AGENT)).toBe(2)
  })

  test("calls that miss a cold cache together share one fetch: 100 concurrent reads send one GET", async () => {
    fake = startFake(async () => {
      await Bun.sleep(50)
      return json({ ok: true, agent: agent() })
    })
    const m = client(fake.url, { agentCacheTtlMs: 30_000 })
    const agents = await Effect.runPromise(Effect.all(Array.from({ length: 100 }, () => m.getAgent(AGENT_ID)), { concurrency: "unbounded" }))
    expect(agents.every((a) => a.id === AGENT_ID)).toBe(true)
    expect(fake.count(GET_AGENT)).toBe(1)
  })

  test("a shared fetch that fails fails every waiter, and is not kept: the next read asks again", async () => {
    fake = startFake(async (_, n) => {
      await Bun.sleep(50)
      return n === 1 ? json({ ok: false, error: "Agent not found" }, 404) : json({ ok: true, agent: agent() })
    })
    const m = client(fake.url, { agentCacheTtlMs: 30_000 })
    const results = await Effect.runPromise(Effect.all(Array.from({ length: 20 }, () => Effect.flip(m.getAgent(AGENT_ID))), { concurrency: "unbounded" }))
    expect(results.map((e) => e._tag)).toEqual(Array(20).fill("AgentNotFound"))
    expect(fake.count(GET_AGENT)).toBe(1)
    expect((await Effect.runPromise(m.getAgent(AGENT_ID))).id).toBe(AGENT_ID)
    expect(fake.count(GET_AGENT)).toBe(2)
  })

  test("a caller that goes away during the shared fetch does not strand it: waiters get the agent, and later reads too", async () => {
    fake = startFake(async () => {
      await Bun.sleep(80)
      return json({ ok: true, agent: agent() })
    })
    const m = client(fake.url, { agentCacheTtlMs: 0 })
    const result = await Effect.runPromise(
      Effect.gen(function* () {
        const leader = yield* Effect.forkChild(m.getAgent(AGENT_ID))
        yield* Effect.promise(() => Bun.sleep(10))
        const waiter = yield* Effect.forkChild(m.getAgent(AGENT_ID))
        yield* Fiber.interrupt(leader)
        const waited = yield* Fiber.join(waiter)
        // With no cache, a later read fetches again: it must not find a stranded fetch.
        const later = yield* m.getAgent(AGENT_ID).pipe(Effect.timeoutOption("2 seconds"))
        return { waited: waited.id, later: later._tag }
      }),
    )
    expect(result).toEqual({ waited: AGENT_ID, later: "Some" })
  })
})
