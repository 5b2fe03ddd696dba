// An Idempotency-Key never lets a retry pay twice: once the payment may have
// left, whatever fails afterwards (here a defect right after the marketplace
// took the payment) is stored as the key's answer, "outcome unknown", and the
// retry replays it instead of paying again. The reconciler settles the row.
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { Effect, Exit } from "effect"
import { agentCallPipeline } from "../../src/modules/gateway/pipeline"
import { resolveAgent } from "../../src/modules/gateway/steps/agent"
import { reconcileUnknownCalls } from "../../src/modules/gateway/reconciler"
import { Networks } from "../../src/modules/network/service"
import { sandboxOwnerWallet } from "../../src/modules/sandbox/identities"
import { periodOf } from "../../src/platform/period"
import { Store } from "../../src/store/store"
import { readJson } from "../support/app"
import { bearer, register } from "../support/accounts"
import { dialects } from "../support/db"
import { makeGatewayApp, type GatewayApp } from "../support/gateway"

for (const dialect of dialects) {
  describe(`Idempotency-Key after the payment left (${dialect})`, () => {
    let g: GatewayApp
    beforeAll(async () => {
      g = await makeGatewayApp(dialect)
      await g.seedPool(1)
    })
    afterAll(() => g.close())

    test("a defect after submit is answered 'outcome unknown' and stored: the retry replays it and pays nothing more", async () => {
      const a = await register(g)
      const owner = sandboxOwnerWallet("title-generator").toBase58()
      const ownerBefore = await g.usdcBalance(owner)
      const headers = { ...bearer(a.key), "idempotency-key": "retry-me-after-a-defect", "content-type": "application/json" }
      const input = { text: "Paid once, whatever happens after" }

      // The marketplace takes the payment and answers; the gateway then dies of a bug.
      const defectAfterSubmit = Effect.gen(function* () {
        const networks = yield* Networks
        const live = networks.live
        const marketplace = { ...live.marketplace, call: (req: Parameters<typeof live.marketplace.call>[0]) => Effect.andThen(live.marketplace.call(req), Effect.die(new Error("a bug after submit"))) }
        const request = new Request("http://localhost/v1/agents/title-generator", { method: "POST", headers })
        return yield* agentCallPipeline(request, (directory) => resolveAgent(directory, "title-generator"), input).pipe(
          Effect.provideService(Networks, { ...networks, live: { ...live, marketplace } }),
        )
      })
      const first = await g.runtime.runPromiseExit(defectAfterSubmit)
      expect(Exit.isFailure(first)).toBe(true)
      if (Exit.isFailure(first)) expect(first.cause.reasons.map((r) => (r._tag === "Fail" ? (r.error as { _tag: string })._tag : r._tag))).toEqual(["CallOutcomeUnknown"])

      // The retry with the same key and body replays the stored answer.
      const retry = await g.request("/v1/agents/title-generator", { method: "POST", headers, body: JSON.stringify(input) })
      expect(retry.headers.get("idempotent-replayed")).toBe("true")
      expect(await readJson(retry)).toMatchObject({ status: 504, body: { code: "call_outcome_unknown" } })

      // One row, one payment: the agent's owner was paid once.
      const rows = await g.runtime.runPromise(Effect.flatMap(Store, (s) => s.usage.history({ keyId: a.keyId, limit: 10 })))
      expect(rows.map((r) => r.state)).toEqual(["pending"])
      expect(await g.usdcBalance(owner)).toBe(ownerBefore + 9000)

      // The open row is settled from its own signature, and billed once.
      expect(await g.runtime.runPromise(reconcileUnknownCalls({ staleAfterMs: 0 }))).toMatchObject({ settled: 1 })
      const [row] = await g.runtime.runPromise(Effect.flatMap(Store, (s) => s.usage.history({ keyId: a.keyId, limit: 10 })))
      expect(row).toMatchObject({ state: "settled", txSignature: rows[0]!.txSignature })
      expect(g.logs.some((l) => l.includes("defect after the payment was handed over"))).toBe(true)
    })

    test("any other defect's 500 is kept for the key too (it may follow a payment), and the reservation is still given back", async () => {
      const a = await register(g)
      const headers = { ...bearer(a.key), "idempotency-key": "a-bug-before-submit", "content-type": "application/json" }
      const input = { text: "A bug while building" }
      const defectWhileBuilding = Effect.gen(function* () {
        const networks = yield* Networks
        const live = networks.live
        const marketplace = { ...live.marketplace, buildTransaction: () => Effect.die(new Error("a bug while building")) }
        const request = new Request("http://localhost/v1/agents/title-generator", { method: "POST", headers })
        return yield* agentCallPipeline(request, (directory) => resolveAgent(directory, "title-generator"), input).pipe(
          Effect.provideService(Networks, { ...networks, live: { ...live, marketplace } }),
        )
      })
      const first = await g.runtime.runPromiseExit(defectWhileBuilding)
      expect(Exit.isFailure(first)).toBe(true)
      const retry = await g.request("/v1/agents/title-generator", { method: "POST", headers, body: JSON.stringify(input) })
      expect(retry.headers.get("idempotent-replayed")).toBe("true")
      expect(await readJson(retry)).toMatchObject({ status: 500, body: { code: "internal_error" } })
      // Nothing was paid: no row, no op or spend left on the key's month.
      expect(await g.runtime.runPromise(Effect.flatMap(Store, (s) => s.usage.history({ keyId: a.keyId, limit: 10 })))).toEqual([])
      expect(await g.runtime.runPromise(Effect.flatMap(Store, (s) => s.periods.get(a.keyId, periodOf(Date.now()))))).toEqual({ ops: 0, spendMicroUsd: 0 })
    })
  })
}
