// A client that goes away at any moment before submit leaves nothing behind:
// no reserved or pending row waits for the reconciler, and the key's counters
// equal its rows. Calls are interrupted at random points, on every dialect.
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { Effect, Fiber } from "effect"
import { paidCall } from "../../src/modules/gateway/pipeline"
import { networkFor } from "../../src/modules/network/service"
import { ApiKeys } from "../../src/modules/keys/verifier"
import { titleGenerator } from "../../src/modules/sandbox/agents/text"
import { periodOf } from "../../src/platform/period"
import { Store } from "../../src/store/store"
import { register } from "../support/accounts"
import { dialects } from "../support/db"
import { makeGatewayApp, type GatewayApp } from "../support/gateway"

for (const dialect of dialects) {
  describe(`calls interrupted before submit (${dialect})`, () => {
    let g: GatewayApp
    beforeAll(async () => {
      g = await makeGatewayApp(dialect)
      await g.seedPool(3)
    })
    afterAll(() => g.close())

    // Admission is the pipeline's step, not under test here: every call is admitted.
    const admittedNow = Effect.succeed({ allowed: true, limit: 1000, remaining: 999, resetSeconds: 1, retryAfterSeconds: 0 })

    test("80 calls interrupted after 0–6 ms: every one either completed or left no open row, and counters equal rows", async () => {
      const a = await register(g)
      const identity = await g.runtime.runPromise(Effect.flatMap(ApiKeys, (k) => k.authenticate(`Bearer ${a.key}`)))
      const network = await g.runtime.runPromise(networkFor(identity.environment))
      for (let i = 0; i < 80; i++) {
        const call = paidCall(identity, network, { agentId: titleGenerator.id, requestId: `req_interrupt_${i}`, idempotencyKey: undefined, admitted: admittedNow }, { text: `interrupted call ${i}` })
        await g.runtime.runPromise(
          Effect.gen(function* () {
            const fiber = yield* Effect.forkChild(call)
            yield* Effect.promise(() => Bun.sleep(Math.random() * 6))
            yield* Fiber.interrupt(fiber)
          }),
        )
      }
      // Submits already under way finish on their own.
      await Bun.sleep(300)
      const rows = await g.runtime.runPromise(Effect.flatMap(Store, (s) => s.usage.history({ keyId: a.keyId, limit: 1000 })))
      const open = rows.filter((r) => r.state !== "settled" && r.state !== "failed")
      expect(open).toEqual([])
      const period = periodOf(Date.now())
      const counted = rows.filter((r) => r.state === "settled")
      expect(await g.runtime.runPromise(Effect.flatMap(Store, (s) => s.periods.get(a.keyId, period)))).toEqual({
        ops: counted.length,
        spendMicroUsd: counted.reduce((sum, r) => sum + r.developerPriceMicroUsd, 0),
      })
      // Reserved rows are not listed by history: none may be left in the table either.
      const range = { period, ...(await import("../../src/platform/period")).periodBounds(period) }
      expect(await g.runtime.runPromise(Effect.flatMap(Store, (s) => s.audit.counterMismatches(range)))).toEqual([])
    }, 60_000)
  })
}
