// Refusals of the typed storage routes: unknown fields (a caller-chosen
// `wallet` above all), lengths, quota, and a network without storage agents.
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { Effect } from "effect"
import { ApiKeys } from "../../src/modules/keys/verifier"
import { Store } from "../../src/store/store"
import { makeTestApp, readJson } from "../support/app"
import { bearer, register } from "../support/accounts"
import { dialects } from "../support/db"
import { makeGatewayApp, type GatewayApp } from "../support/gateway"

for (const dialect of dialects) {
  describe(`typed storage routes refuse bad input (${dialect})`, () => {
    let g: GatewayApp
    let a: Awaited<ReturnType<typeof register>>
    beforeAll(async () => {
      g = await makeGatewayApp(dialect)
      await g.seedPool(1)
      a = await register(g)
    })
    afterAll(() => g.close())

    const post = async (key: string, path: string, json: unknown) => readJson(await g.request(path, { method: "POST", json, headers: bearer(key) }))
    const spent = async (key: string) => (await readJson(await g.request("/v1/usage/current", { headers: bearer(key) }))).body

    test("a caller-supplied wallet is refused with 422 on every typed route, and nothing is charged", async () => {
      const bodies: ReadonlyArray<[string, Record<string, unknown>]> = [
        ["/v1/memory/set", { key: "k", value: "v" }],
        ["/v1/memory/get", { key: "k" }],
        ["/v1/memory/list", {}],
        ["/v1/memory/delete", { key: "k" }],
        ["/v1/answers/teach", { question: "q?", answer: "a" }],
        ["/v1/answers/ask", { question: "q?" }],
        ["/v1/answers/update", { question: "q?", answer: "a" }],
        ["/v1/answers/forget", { question: "q?" }],
      ]
      for (const [path, body] of bodies) {
        const r = await post(a.key, path, { ...body, wallet: "tdk_key_someone_else" })
        expect({ path, status: r.status, body: r.body }).toMatchObject({ status: 422, body: { code: "invalid_input", errors: [{ field: "wallet" }] } })
        expect(r.body.errors[0].message).toContain("namespace")
      }
      expect(await spent(a.key)).toMatchObject({ ops: 0, spend_micro_usd: 0 })
    })

    test("other unknown fields and the generic route's `action` are refused too", async () => {
      const r = await post(a.key, "/v1/memory/get", { key: "k", action: "delete", ttl: 5 })
      expect(r).toMatchObject({ status: 422, body: { code: "invalid_input" } })
      expect(r.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(["action", "ttl"])
    })

    test("lengths follow the storage agents; a refused request costs nothing", async () => {
      const cases: ReadonlyArray<[string, unknown, string]> = [
        ["/v1/answers/teach", { question: "", answer: "a" }, "question"],
        ["/v1/answers/ask", { question: "q".repeat(1001) }, "question"],
        ["/v1/answers/teach", { question: "q?", answer: "a".repeat(5001) }, "answer"],
        ["/v1/answers/teach", { question: "q?", answer: "a", tags: Array.from({ length: 11 }, (_, i) => `t${i}`) }, "tags"],
        ["/v1/answers/update", { question: "q?", answer: "a", tags: ["x".repeat(51)] }, "tags.0"],
        ["/v1/answers/update", { question: "q?" }, "answer"],
        ["/v1/memory/set", { key: "k".repeat(257), value: "v" }, "key"],
        ["/v1/memory/set", { key: "", value: "v" }, "key"],
        ["/v1/memory/set", { key: "k" }, "value"],
        ["/v1/memory/set", { key: "k", value: "v".repeat(10_001) }, "value"],
        ["/v1/memory/set", { key: "k", value: { big: "v".repeat(9_995) } }, "value"],
        ["/v1/memory/list", { limit: 101 }, "limit"],
        ["/v1/memory/list", { limit: 0 }, "limit"],
        ["/v1/memory/get", {}, "key"],
      ]
      for (const [path, body, field] of cases) {
        const r = await post(a.key, path, body)
        expect({ path, field, status: r.status, body: r.body }).toMatchObject({ status: 422, body: { code: "invalid_input" } })
        expect({ path, fields: r.body.errors.map((e: { field: string }) => e.field) }).toMatchObject({ fields: expect.arrayContaining([field]) })
      }
      // The longest allowed values pass.
      expect(await post(a.key, "/v1/memory/set", { key: "k".repeat(256), value: "v".repeat(10_000) })).toMatchObject({ status: 200 })
      expect(await post(a.key, "/v1/answers/teach", { question: "q".repeat(1000), answer: "a".repeat(5000), tags: Array.from({ length: 10 }, () => "t".repeat(50)) })).toMatchObject({ status: 200 })
      expect(await spent(a.key)).toMatchObject({ ops: 2, spend_micro_usd: 1500 + 15_000 })
    })

    test("the key's monthly quota applies to typed routes", async () => {
      const b = await register(g)
      await g.runtime.runPromise(
        Effect.gen(function* () {
          yield* (yield* Store).keys.update(b.keyId, { monthlyQuota: 1 })
          ;(yield* ApiKeys).forget(b.keyId)
        }),
      )
      expect((await post(b.key, "/v1/memory/set", { key: "k", value: "v" })).status).toBe(200)
      expect(await post(b.key, "/v1/memory/get", { key: "k" })).toMatchObject({ status: 402, body: { code: "quota_exhausted" } })
      expect(await spent(b.key)).toMatchObject({ ops: 1, quota: 1, quota_remaining: 0 })
    })
  })

  describe(`storage routes without storage agents (${dialect})`, () => {
    test("on devnet without MEMORY_AGENT_ID / ANSWERS_AGENT_ID the routes answer 503 naming the variable", async () => {
      const h = await makeTestApp(dialect, { TETTO_NETWORK: "devnet" })
      try {
        const a = await register(h)
        const mem = await readJson(await h.request("/v1/memory/get", { method: "POST", json: { key: "k" }, headers: bearer(a.key) }))
        expect(mem).toMatchObject({ status: 503, body: { code: "storage_agent_not_configured", variable: "MEMORY_AGENT_ID" } })
        expect(mem.body.detail).toContain("MEMORY_AGENT_ID")
        const ans = await readJson(await h.request("/v1/answers/ask", { method: "POST", json: { question: "q?" }, headers: bearer(a.key) }))
        expect(ans).toMatchObject({ status: 503, body: { code: "storage_agent_not_configured", variable: "ANSWERS_AGENT_ID" } })
        expect(ans.body.detail).toContain("ANSWERS_AGENT_ID")
      } finally {
        await h.close()
      }
    })
  })
}
