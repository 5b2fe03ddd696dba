// Agent calls end to end against the sandbox, over HTTP, on every dialect.
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { Effect } from "effect"
import { ApiKeys } from "../../src/modules/keys/verifier"
import { Store } from "../../src/store/store"
import { sandboxOwnerWallet, sandboxProtocolFeeWallet } from "../../src/modules/sandbox/identities"
import { readJson, TEST_MASTER_KEYS, waitForLog } from "../support/app"
import { bearer, register } from "../support/accounts"
import { dialects } from "../support/db"
import { makeGatewayApp, type GatewayApp } from "../support/gateway"

const TITLE_GENERATOR_ID = "1e4a7b90-6c2d-4f35-b8a9-0d3e5f7a2c61"

for (const dialect of dialects) {
  describe(`agent calls (${dialect})`, () => {
    let g: GatewayApp
    beforeAll(async () => {
      g = await makeGatewayApp(dialect)
      await g.seedPool(3)
    })
    afterAll(() => g.close())

    const call = async (key: string, agent: string, input: unknown, headers: Record<string, string> = {}) =>
      readJson(await g.request(`/v1/agents/${agent}`, { method: "POST", json: input, headers: { ...bearer(key), ...headers } }))

    test("heterogeneous prices are charged exactly: $0.001 → 1500 micro-USD, $0.04 → 60000", async () => {
      const a = await register(g)
      const mem = await call(a.key, "warmmemory", { action: "store", key: "greeting", value: "hello" })
      expect(mem).toMatchObject({ status: 200, body: { success: true, usage: { cost_micro_usd: 1500, cost_usd: "0.0015", tier: "free" } } })
      expect(mem.body.receipt.tx_signature).toMatch(/^[1-9A-HJ-NP-Za-km-z]{64,88}$/)
      expect(mem.headers.get("ratelimit")).toContain("limit=100")
      const inspector = await call(a.key, "wallet-inspector", { wallet: sandboxProtocolFeeWallet.toBase58() })
      expect(inspector).toMatchObject({ status: 200, body: { usage: { cost_micro_usd: 60_000, cost_usd: "0.06" } } })
    })

    test("the agent's owner and the protocol receive the agent price, split by fee_bps", async () => {
      const a = await register(g)
      const owner = sandboxOwnerWallet("summarizer").toBase58()
      const fee = sandboxProtocolFeeWallet.toBase58()
      const [ownerBefore, feeBefore] = [await g.usdcBalance(owner), await g.usdcBalance(fee)]
      const r = await call(a.key, "summarizer", { text: "TDK Core lets a developer call paid agents with an API key. It meters each call." })
      expect(r).toMatchObject({ status: 200, body: { usage: { cost_micro_usd: 30_000 } } })
      expect(await g.usdcBalance(owner)).toBe(ownerBefore + 18_000)
      expect(await g.usdcBalance(fee)).toBe(feeBefore + 2_000)
    })

    test("two keys' memory is isolated, even on the same pool wallet", async () => {
      const a = await register(g)
      const b = await register(g)
      expect((await call(a.key, "warmmemory", { action: "store", key: "secret", value: "only-a" })).status).toBe(200)
      expect(await call(a.key, "warmmemory", { action: "retrieve", key: "secret" })).toMatchObject({ status: 200, body: { output: { exists: true, value: "only-a" } } })
      expect(await call(b.key, "warmmemory", { action: "retrieve", key: "secret" })).toMatchObject({ status: 200, body: { output: { exists: false } } })
      // A caller cannot reach another namespace by naming it.
      expect(await call(b.key, "warmmemory", { action: "retrieve", key: "secret", wallet: `tdk_${a.keyId}` })).toMatchObject({ status: 200, body: { output: { exists: false } } })
    })

    test("no API key or master key appears in any log line of a paid call", async () => {
      const a = await register(g)
      g.logs.length = 0
      expect((await call(a.key, "warmmemory", { action: "list" })).status).toBe(200)
      // The last character changed (to one it is not: a key ending in "x" stays itself otherwise).
      const typo = a.key.slice(0, -1) + (a.key.endsWith("x") ? "y" : "x")
      expect((await call(typo, "warmmemory", { action: "list" })).status).toBe(401)
      // The mistyped key's access line comes after its response: scan only once it is there.
      await waitForLog(g.logs, (l) => l.includes('"status":401'))
      const logs = g.logs.join("\n")
      expect(g.logs.length).toBeGreaterThan(0)
      for (const secret of [a.key, a.key.slice(8, 30), TEST_MASTER_KEYS.split(":")[1]!]) expect({ leaked: logs.includes(secret) }).toEqual({ leaked: false })
    })

    test("the first call assigns the key's wallet and the next authentication already sees it", async () => {
      const a = await register(g)
      expect((await call(a.key, "warmmemory", { action: "list" })).status).toBe(200)
      // Within the key cache's lifetime: a stale identity would make every call repeat the assignment.
      const identity = await g.runtime.runPromise(Effect.flatMap(ApiKeys, (k) => k.authenticate(`Bearer ${a.key}`)))
      const rows = await g.runtime.runPromise(Effect.flatMap(Store, (s) => s.usage.history({ keyId: a.keyId, limit: 10 })))
      expect(identity.walletId).toBe(rows[0]!.walletId)
    })

    test("a call by UUID works like its alias", async () => {
      const a = await register(g)
      const r = await call(a.key, "7c0e8a52-3f1d-4b7e-9a61-2d5c8e4f1a03", { action: "list" })
      expect(r).toMatchObject({ status: 200, body: { usage: { agent: { id: "7c0e8a52-3f1d-4b7e-9a61-2d5c8e4f1a03" } } } })
    })

    test("a retried request with the same Idempotency-Key pays once", async () => {
      const a = await register(g)
      const first = await call(a.key, "title-generator", { text: "Exactly once payments" }, { "idempotency-key": "order-42" })
      const again = await call(a.key, "title-generator", { text: "Exactly once payments" }, { "idempotency-key": "order-42" })
      expect(first.status).toBe(200)
      expect(again).toMatchObject({ status: 200 })
      expect(again.body).toEqual(first.body)
      expect(again.headers.get("idempotent-replayed")).toBe("true")
      const other = await call(a.key, "title-generator", { text: "A different body" }, { "idempotency-key": "order-42" })
      expect(other).toMatchObject({ status: 422, body: { code: "idempotency_key_reused" } })
    })

    test("a client that disconnects mid-call gets the answer by retrying with its Idempotency-Key, and the call is paid once", async () => {
      const a = await register(g)
      const owner = sandboxOwnerWallet("title-generator").toBase58()
      const ownerBefore = await g.usdcBalance(owner)
      const body = { text: "Connections drop; payments must not repeat" }
      const headers = { ...bearer(a.key), "idempotency-key": "dropped-1" }
      await g.request(`/sandbox/control/agents/${TITLE_GENERATOR_ID}`, { method: "PUT", json: { delay_ms: 600 } })
      try {
        const client = new AbortController()
        const first = g.request("/v1/agents/title-generator", { method: "POST", json: body, headers, signal: client.signal }).catch(() => undefined)
        await Bun.sleep(150)
        client.abort()
        await first
        // The call goes on without its client: a retry meanwhile is told it is still in flight.
        let retry = await call(a.key, "title-generator", body, { "idempotency-key": "dropped-1" })
        expect(retry).toMatchObject({ status: 409, body: { code: "idempotency_in_flight" } })
        for (let i = 0; i < 50 && retry.status === 409; i++) {
          await Bun.sleep(100)
          retry = await call(a.key, "title-generator", body, { "idempotency-key": "dropped-1" })
        }
        expect(retry).toMatchObject({ status: 200, body: { success: true, usage: { cost_micro_usd: 15_000 } } })
        expect(retry.headers.get("idempotent-replayed")).toBe("true")
      } finally {
        await g.request(`/sandbox/control/agents/${TITLE_GENERATOR_ID}`, { method: "PUT", json: {} })
      }
      expect(await g.usdcBalance(owner)).toBe(ownerBefore + 9000)
      const rows = await g.runtime.runPromise(Effect.flatMap(Store, (s) => s.usage.history({ keyId: a.keyId, limit: 10 })))
      expect(rows.map((r) => r.state)).toEqual(["settled"])
    })

    test("a keyed call that fails after its client disconnected is logged by its own fiber, and its answer is kept for the retry", async () => {
      const a = await register(g)
      const body = { text: "Nobody is waiting for this answer" }
      await g.request(`/sandbox/control/agents/${TITLE_GENERATOR_ID}`, { method: "PUT", json: { delay_ms: 300, fail_with: "model overloaded" } })
      try {
        g.logs.length = 0
        const client = new AbortController()
        const first = g.request("/v1/agents/title-generator", { method: "POST", json: body, headers: { ...bearer(a.key), "idempotency-key": "dropped-2", "x-request-id": "req-dropped-2" }, signal: client.signal }).catch(() => undefined)
        await Bun.sleep(100)
        client.abort()
        await first
        let retry = await call(a.key, "title-generator", body, { "idempotency-key": "dropped-2" })
        for (let i = 0; i < 50 && retry.status === 409; i++) {
          await Bun.sleep(100)
          retry = await call(a.key, "title-generator", body, { "idempotency-key": "dropped-2" })
        }
        // The marketplace's 5xx after submit is an unknown outcome: kept and replayed, never retried.
        expect(retry).toMatchObject({ status: 504, body: { code: "call_outcome_unknown" } })
        expect(retry.headers.get("idempotent-replayed")).toBe("true")
        const line = g.logs.find((l) => l.includes("call failed after its client disconnected"))
        expect(line && JSON.parse(line)).toMatchObject({ code: "call_outcome_unknown", status: 504, request_id: "req-dropped-2" })
      } finally {
        await g.request(`/sandbox/control/agents/${TITLE_GENERATOR_ID}`, { method: "PUT", json: {} })
      }
    })
  })
}
