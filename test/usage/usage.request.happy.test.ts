// GET /v1/usage/requests/{request_id} after real paid calls to the sandbox,
// under a manual clock moved while the marketplace runs the call, so latency
// and intent expiry are exact; on every dialect.
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { titleGenerator } from "../../src/modules/sandbox/agents/text"
import { warmMemory } from "../../src/modules/sandbox/agents/warm-memory"
import { readJson } from "../support/app"
import { bearer, login, register } from "../support/accounts"
import { manualClock, type ManualClock } from "../support/clock"
import { dialects } from "../support/db"
import { makeGatewayApp, type GatewayApp } from "../support/gateway"

const INTENT_TTL_MS = 60_000

for (const dialect of dialects) {
  describe(`usage of one request (${dialect})`, () => {
    let g: GatewayApp
    let clock: ManualClock
    // How far the clock moves when the gateway submits a payment to the marketplace, ms.
    let duringCall = 0
    beforeAll(async () => {
      clock = manualClock(Date.UTC(2026, 10, 15, 12, 0, 0))
      g = await makeGatewayApp(dialect, { SANDBOX_INTENT_TTL_MS: String(INTENT_TTL_MS) }, {
        clock,
        tap: (r) => {
          if (r.method === "POST" && new URL(r.url).pathname.endsWith("/sandbox/tetto/api/agents/call")) clock.advance(duringCall)
        },
      })
      await g.seedPool(2)
    })
    afterAll(() => g.close())

    const call = async (key: string, agent: string, input: unknown, headers: Record<string, string> = {}) =>
      readJson(await g.request(`/v1/agents/${agent}`, { method: "POST", json: input, headers: { ...bearer(key), ...headers } }))
    const lookup = async (requestId: string, headers: Record<string, string>) => readJson(await g.request(`/v1/usage/requests/${encodeURIComponent(requestId)}`, { headers }))

    test("a paid call looked up by its request id, with its key and with a session, shows the cost it answered with, its receipt and its latency", async () => {
      const a = await register(g)
      const startedAt = clock.now()
      duringCall = 250
      const paid = await call(a.key, "title-generator", { text: "Look me up later." })
      duringCall = 0
      expect(paid).toMatchObject({ status: 200, body: { success: true } })
      const { usage, receipt } = paid.body

      const byKey = await lookup(usage.request_id, bearer(a.key))
      expect(byKey).toMatchObject({ status: 200 })
      expect(byKey.body).toEqual({
        request_id: usage.request_id,
        id: expect.stringMatching(/^use_/),
        key_id: a.keyId,
        environment: "live",
        agent: { id: titleGenerator.id, name: titleGenerator.name },
        agent_price_micro_usd: 10_000,
        agent_price_usd: "0.01",
        markup_micro_usd: 5_000,
        markup_usd: "0.005",
        developer_price_micro_usd: usage.cost_micro_usd,
        developer_price_usd: usage.cost_usd,
        token: "USDC",
        price_base: 10_000,
        state: "settled",
        tx_signature: receipt.tx_signature,
        receipt_id: receipt.receipt_id,
        created_at: new Date(startedAt).toISOString(),
        settled_at: new Date(startedAt + 250).toISOString(),
        latency_ms: 250,
        error: null,
      })
      expect(byKey.body.agent).toEqual(usage.agent)

      // The same record through the session, bearer or cookie.
      const token = await login(g, a.email)
      expect(await lookup(usage.request_id, bearer(token))).toMatchObject({ status: 200, body: byKey.body })
      expect(await lookup(usage.request_id, { cookie: `tdk_session=${token}` })).toMatchObject({ status: 200, body: byKey.body })
      // And it is the row the history shows.
      const history = await readJson(await g.request("/v1/usage/history", { headers: bearer(a.key) }))
      const { request_id: _, latency_ms: __, error: ___, ...row } = byKey.body
      expect(history.body.rows).toEqual([row])
    })

    test("a call whose payment intent expired before submit is failed, charged nothing, and shows why", async () => {
      const a = await register(g)
      // The marketplace receives the payment after its intent expired: refused, nothing paid.
      duringCall = INTENT_TTL_MS + 1_000
      const refused = await call(a.key, "warmmemory", { action: "store", key: "k", value: "v" })
      duringCall = 0
      expect(refused).toMatchObject({ status: 502, body: { code: "payment_intent_expired" } })

      const r = await lookup(refused.body.request_id, bearer(a.key))
      expect(r).toMatchObject({
        status: 200,
        body: { request_id: refused.body.request_id, agent: { id: warmMemory.id }, state: "failed", error: "PaymentIntentExpired", settled_at: null, latency_ms: null, receipt_id: null, developer_price_micro_usd: 1_500 },
      })
      // Charged nothing: the month counts no op and no spend for it.
      expect(await readJson(await g.request("/v1/usage/current", { headers: bearer(a.key) }))).toMatchObject({ status: 200, body: { ops: 0, spend_micro_usd: 0 } })
    })

    test("a call whose answer was lost shows unknown (for the reconciler) and the reason", async () => {
      const a = await register(g)
      await g.request(`/sandbox/control/agents/${titleGenerator.id}`, { method: "PUT", json: { fail_with: "model overloaded" } })
      try {
        const lost = await call(a.key, "title-generator", { text: "No answer comes back." }, { "x-request-id": "client-chosen:lost.1" })
        expect(lost).toMatchObject({ status: 504, body: { code: "call_outcome_unknown", request_id: "client-chosen:lost.1" } })
      } finally {
        await g.request(`/sandbox/control/agents/${titleGenerator.id}`, { method: "PUT", json: {} })
      }
      expect(await lookup("client-chosen:lost.1", bearer(a.key))).toMatchObject({
        status: 200,
        body: { request_id: "client-chosen:lost.1", state: "unknown", error: "CallOutcomeUnknown", settled_at: null, latency_ms: null, tx_signature: expect.any(String) },
      })
    })

    test("a request id the caller sent with two calls names the newer one; any id request-id.ts accepts can be looked up", async () => {
      const a = await register(g)
      // Every character request-id.ts accepts, at its longest (128).
      const longest = "Az09._:-".repeat(16)
      const first = await call(a.key, "warmmemory", { action: "store", key: "k1", value: "v1" }, { "x-request-id": longest })
      clock.advance(1_000)
      const second = await call(a.key, "title-generator", { text: "The same request id again." }, { "x-request-id": longest })
      expect([first.status, second.status, second.body.usage.request_id]).toEqual([200, 200, longest])

      const r = await lookup(longest, bearer(a.key))
      expect(r).toMatchObject({ status: 200, body: { request_id: longest, agent: { id: titleGenerator.id }, receipt_id: second.body.receipt.receipt_id } })
    })
  })
}
