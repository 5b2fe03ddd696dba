// Agent calls that must not charge: bad input, no funded wallet, unknown
// agents; and a call whose outcome is lost, resolved later by the reconciler.
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { Effect } from "effect"
import { reconcileUnknownCalls } from "../../src/modules/gateway/reconciler"
import { checkBalances } from "../../src/modules/pool/balances"
import { sandboxOwnerWallet } from "../../src/modules/sandbox/identities"
import { periodOf } from "../../src/platform/period"
import { Store } from "../../src/store/store"
import { readJson } from "../support/app"
import { bearer, register } from "../support/accounts"
import { dialects } from "../support/db"
import { makeGatewayApp, type GatewayApp } from "../support/gateway"

const titleGeneratorId = "1e4a7b90-6c2d-4f35-b8a9-0d3e5f7a2c61"

for (const dialect of dialects) {
  describe(`calls that cost nothing (${dialect})`, () => {
    let g: GatewayApp
    beforeAll(async () => {
      g = await makeGatewayApp(dialect, { MARKETPLACE_CALL_TIMEOUT_MS: "400" })
      await g.seedPool(1)
    })
    afterAll(() => g.close())

    const call = async (key: string, agent: string, input: unknown) => readJson(await g.request(`/v1/agents/${agent}`, { method: "POST", json: input, headers: bearer(key) }))
    const periodOps = (keyId: string) => g.runtime.runPromise(Effect.flatMap(Store, (s) => s.periods.get(keyId, periodOf(Date.now()))))
    const rowsOf = (keyId: string) => g.runtime.runPromise(Effect.flatMap(Store, (s) => s.usage.history({ keyId, limit: 100 })))

    test("input that fails the agent's schema is 422, pays nothing and gives the quota back", async () => {
      const a = await register(g)
      const r = await call(a.key, "warmmemory", { action: "explode" })
      expect(r).toMatchObject({ status: 422, body: { code: "agent_input_invalid" } })
      expect(r.body.detail).toContain("Input validation failed")
      expect(await periodOps(a.keyId)).toEqual({ ops: 0, spendMicroUsd: 0 })
      expect(await rowsOf(a.keyId)).toEqual([])
    })

    test("an unknown alias or agent id is 404 and costs nothing", async () => {
      const a = await register(g)
      expect(await call(a.key, "no-such-agent", {})).toMatchObject({ status: 404, body: { code: "agent_not_found" } })
      expect(await call(a.key, "00000000-0000-4000-8000-000000000000", {})).toMatchObject({ status: 404, body: { code: "agent_not_found" } })
      // Names that every JavaScript object inherits are not aliases.
      for (const name of ["__proto__", "constructor", "toString"]) expect({ name, r: await call(a.key, name, { text: "hi" }) }).toMatchObject({ name, r: { status: 404, body: { code: "agent_not_found" } } })
      expect((await readJson(await g.request("/v1/usage/history?agent=__proto__", { headers: bearer(a.key) }))).status).toBe(422)
      expect(await periodOps(a.keyId)).toEqual({ ops: 0, spendMicroUsd: 0 })
    })

    test("a suspended key is 403 and a body that is not an object is 422, before anything is reserved", async () => {
      const a = await register(g)
      expect((await call(a.key, "warmmemory", [1, 2])).status).toBe(422)
      await g.runtime.runPromise(Effect.flatMap(Store, (s) => s.keys.update(a.keyId, { status: "suspended", statusReason: "payment_failed" })))
      const { ApiKeys } = await import("../../src/modules/keys/verifier")
      await g.runtime.runPromise(Effect.map(ApiKeys, (k) => k.forget(a.keyId)))
      expect(await call(a.key, "warmmemory", { action: "list" })).toMatchObject({ status: 403, body: { code: "api_key_suspended", reason: "payment_failed" } })
      expect(await periodOps(a.keyId)).toEqual({ ops: 0, spendMicroUsd: 0 })
    })

    test("a lost answer after submit is recorded as unknown, keeps the reservation, and the reconciler settles it once", async () => {
      const a = await register(g)
      const owner = sandboxOwnerWallet("title-generator").toBase58()
      const ownerBefore = await g.usdcBalance(owner)
      // The agent outlives the gateway's call timeout, but still runs and is paid.
      await g.request(`/sandbox/control/agents/${titleGeneratorId}`, { method: "PUT", json: { delay_ms: 1200 } })
      try {
        const r = await call(a.key, "title-generator", { text: "Timeouts are not failures" })
        expect(r).toMatchObject({ status: 504, body: { code: "call_outcome_unknown" } })
      } finally {
        await g.request(`/sandbox/control/agents/${titleGeneratorId}`, { method: "PUT", json: {} })
      }
      const [row] = await rowsOf(a.keyId)
      expect(row).toMatchObject({ state: "unknown", developerPriceMicroUsd: 15_000 })
      expect(await periodOps(a.keyId)).toEqual({ ops: 1, spendMicroUsd: 15_000 })

      // Wait (bounded) for the sandbox to finish the call it kept running.
      for (let i = 0; i < 50 && (await g.usdcBalance(owner)) === ownerBefore; i++) await Bun.sleep(100)
      expect(await g.usdcBalance(owner)).toBe(ownerBefore + 9000)

      const report = await g.runtime.runPromise(reconcileUnknownCalls())
      expect(report).toMatchObject({ settled: 1, failed: 0 })
      expect((await rowsOf(a.keyId))[0]).toMatchObject({ state: "settled", txSignature: row!.txSignature })
      // A second pass finds nothing left to do.
      expect(await g.runtime.runPromise(reconcileUnknownCalls())).toEqual({ settled: 0, failed: 0, unresolved: 0 })
    })
  })

  describe(`no funded wallet (${dialect})`, () => {
    test("a depleted wallet is 503 and charges nothing: storage calls say so, others find no stand-in", async () => {
      const g = await makeGatewayApp(dialect)
      try {
        // Enough for one $0.001 call; afterwards the balance check finds the
        // wallet below the price of a call and marks it depleted.
        await g.seedPool(1, { usdc: 1500, sol: 100_000_000 })
        const a = await register(g)
        expect((await readJson(await g.request("/v1/agents/warmmemory", { method: "POST", json: { action: "list" }, headers: bearer(a.key) }))).status).toBe(200)
        await g.runtime.runPromise(checkBalances())
        const before = await g.runtime.runPromise(Effect.flatMap(Store, (s) => s.periods.get(a.keyId, periodOf(Date.now()))))
        const storage = await readJson(await g.request("/v1/agents/warmmemory", { method: "POST", json: { action: "list" }, headers: bearer(a.key) }))
        expect(storage).toMatchObject({ status: 503, body: { code: "wallet_depleted" } })
        const other = await readJson(await g.request("/v1/agents/title-generator", { method: "POST", json: { text: "x" }, headers: bearer(a.key) }))
        expect(other).toMatchObject({ status: 503, body: { code: "no_funded_wallet" } })
        expect(await g.runtime.runPromise(Effect.flatMap(Store, (s) => s.periods.get(a.keyId, periodOf(Date.now()))))).toEqual(before)
        expect((await g.runtime.runPromise(Effect.flatMap(Store, (s) => s.usage.history({ keyId: a.keyId, limit: 10 })))).length).toBe(1)
      } finally {
        await g.close()
      }
    })
  })
}
