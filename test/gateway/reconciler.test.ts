// The reconciler's verdicts, from the chain's answer about each open row's own
// signature: a Chain stub in the live network provided to the pass (a service
// swap, nothing patched).
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { Effect } from "effect"
import type { ChainShape, SignatureState } from "../../src/modules/chain/service"
import { Networks } from "../../src/modules/network/service"
import { reconcileUnknownCalls } from "../../src/modules/gateway/reconciler"
import { periodOf } from "../../src/platform/period"
import { Store } from "../../src/store/store"
import { makeTestApp, type TestApp } from "../support/app"
import { dialects } from "../support/db"

const chainSaying = (states: Record<string, SignatureState>): ChainShape => {
  const unused = () => Effect.die(new Error("not used by the reconciler"))
  return {
    getSolBalance: unused,
    getUsdcBalance: unused,
    getLatestBlockhash: unused,
    getTokenAccount: unused,
    sendTransaction: unused,
    getSignatureStatus: (s) => Effect.succeed(states[s] ?? "not_found"),
    getSignatureStatuses: (list) => Effect.succeed(list.map((s) => states[s] ?? "not_found")),
  }
}

for (const dialect of dialects) {
  describe(`reconciler verdicts (${dialect})`, () => {
    let h: TestApp
    beforeAll(async () => {
      h = await makeTestApp(dialect, { RECONCILE_STALE_AFTER_MS: "1000", RECONCILE_GIVE_UP_AFTER_MS: "600000", MARKETPLACE_CALL_TIMEOUT_MS: "1000" })
    })
    afterAll(() => h.close())
    const run = <A, E>(f: (s: typeof Store.Service) => Effect.Effect<A, E>) => h.runtime.runPromise(Effect.flatMap(Store, f))

    /** A call recorded with its payment `ageMs` ago whose answer was lost (a crash after the record). */
    const openCall = async (n: string, ageMs: number, billable = true) => {
      const createdAt = Date.now() - ageMs
      const id = `use_${dialect}_${n}`
      const period = periodOf(createdAt)
      const recorded = await run((s) =>
        s.usage.record(
          { id, keyId: `key_${dialect}_rec`, userId: "usr_rec", agentId: "agent", requestId: `req_${n}`, idempotencyKey: null, environment: "live", billable, createdAt },
          period,
          { agentName: "A", agentPriceMicroUsd: 1000, markupMicroUsd: 500, developerPriceMicroUsd: 1500, priceToken: "USDC", priceBase: 1000, solRateMicroUsd: null, walletId: "wal_x", paymentIntentId: `pi_${dialect}_${n}`, txSignature: `sig_${dialect}_${n}` },
          { quota: null, capMicroUsd: null },
        ),
      )
      expect(recorded).toMatchObject({ kind: "recorded" })
      return id
    }
    const pass = (states: Record<string, SignatureState>) =>
      h.runtime.runPromise(
        Effect.flatMap(Networks, (networks) => reconcileUnknownCalls().pipe(Effect.provideService(Networks, { ...networks, live: { ...networks.live, chain: chainSaying(states) } }))),
      )
    const stateOf = async (id: string) => (await run((s) => s.usage.findById(id)))?.state

    test("processed is not yet evidence: the row waits; confirmed or finalized settles it; failed releases it", async () => {
      const [a, b, c, d] = [await openCall("p", 5_000), await openCall("c", 5_000), await openCall("f", 5_000), await openCall("x", 5_000)]
      const sig = (id: string) => `sig_${id.slice(4)}`
      const report = await pass({ [sig(a)]: "processed", [sig(b)]: "confirmed", [sig(c)]: "finalized", [sig(d)]: "failed" })
      expect(report).toEqual({ settled: 2, failed: 1, unresolved: 1 })
      expect([await stateOf(a), await stateOf(b), await stateOf(c), await stateOf(d)]).toEqual(["pending", "settled", "settled", "failed"])
      // Confirmed later: settled by the next pass.
      expect(await pass({ [sig(a)]: "confirmed" })).toEqual({ settled: 1, failed: 0, unresolved: 0 })
    })

    test("a payment absent from the chain waits until the give-up age, then the row is released at no cost", async () => {
      const young = await openCall("young", 5_000)
      const old = await openCall("old", 700_000)
      expect(await pass({})).toEqual({ settled: 0, failed: 1, unresolved: 1 })
      expect([await stateOf(young), await stateOf(old)]).toEqual(["pending", "failed"])
      await run((s) => s.usage.release(young, "test cleanup"))
    })

    test("a settled row is billed as decided when it was reserved, whatever its key is now", async () => {
      // The rows' key does not even exist any more: the reconciler reads the row, not the key.
      const paid = await openCall("billable", 5_000, true)
      const free = await openCall("free", 5_000, false)
      const sig = (id: string) => `sig_${id.slice(4)}`
      expect(await pass({ [sig(paid)]: "confirmed", [sig(free)]: "confirmed" })).toEqual({ settled: 2, failed: 0, unresolved: 0 })
      expect((await run((s) => s.usage.findById(paid)))?.stripeState).toBe("pending")
      expect((await run((s) => s.usage.findById(free)))?.stripeState).toBe("skipped")
    })
  })
}
