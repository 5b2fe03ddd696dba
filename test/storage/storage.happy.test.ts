// The typed memory and answers routes, end to end against the sandbox's
// storage agents, on every dialect.
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { warmAnswers } from "../../src/modules/sandbox/agents/warm-answers"
import { warmMemory } from "../../src/modules/sandbox/agents/warm-memory"
import { readJson } from "../support/app"
import { bearer, register } from "../support/accounts"
import { dialects } from "../support/db"
import { makeGatewayApp, type GatewayApp } from "../support/gateway"

for (const dialect of dialects) {
  describe(`typed storage routes (${dialect})`, () => {
    let g: GatewayApp
    beforeAll(async () => {
      g = await makeGatewayApp(dialect)
      await g.seedPool(2)
    })
    afterAll(() => g.close())

    const post = async (key: string, path: string, json: unknown, headers: Record<string, string> = {}) =>
      readJson(await g.request(path, { method: "POST", json, headers: { ...bearer(key), ...headers } }))

    test("memory set → get → list → delete → get round-trips, each a paid WarmMemory call", async () => {
      const a = await register(g)
      const set = await post(a.key, "/v1/memory/set", { key: "user:1", value: "Ada" })
      expect(set).toMatchObject({
        status: 200,
        body: { success: true, output: { success: true, action: "store", key: "user:1" }, usage: { cost_micro_usd: 1500, cost_usd: "0.0015", agent: { id: warmMemory.id } } },
      })
      expect(set.body.receipt.tx_signature).toMatch(/^[1-9A-HJ-NP-Za-km-z]{64,88}$/)
      expect(set.headers.get("ratelimit")).toContain("limit=100")
      // Objects are stored JSON-encoded.
      expect((await post(a.key, "/v1/memory/set", { key: "user:2", value: { name: "Grace", langs: ["COBOL"] } })).status).toBe(200)
      expect((await post(a.key, "/v1/memory/set", { key: "other", value: 42 })).status).toBe(200)

      expect(await post(a.key, "/v1/memory/get", { key: "user:1" })).toMatchObject({ status: 200, body: { output: { exists: true, value: "Ada" } } })
      const obj = await post(a.key, "/v1/memory/get", { key: "user:2" })
      expect(obj).toMatchObject({ status: 200, body: { output: { exists: true } } })
      expect(JSON.parse(obj.body.output.value)).toEqual({ name: "Grace", langs: ["COBOL"] })

      const page1 = await post(a.key, "/v1/memory/list", { prefix: "user:", limit: 1 })
      expect(page1).toMatchObject({ status: 200, body: { output: { action: "list", items: [{ key: "user:1", value: "Ada" }], next_cursor: "user:1" } } })
      const page2 = await post(a.key, "/v1/memory/list", { prefix: "user:", limit: 1, cursor: page1.body.output.next_cursor })
      expect(page2).toMatchObject({ status: 200, body: { output: { items: [{ key: "user:2" }], next_cursor: null } } })
      const all = await post(a.key, "/v1/memory/list", {})
      expect(all.body.output.items.map((i: { key: string }) => i.key)).toEqual(["other", "user:1", "user:2"])

      expect(await post(a.key, "/v1/memory/delete", { key: "user:1" })).toMatchObject({ status: 200, body: { output: { deleted: true } } })
      expect(await post(a.key, "/v1/memory/get", { key: "user:1" })).toMatchObject({ status: 200, body: { output: { exists: false, value: null } } })
      expect(await post(a.key, "/v1/memory/delete", { key: "user:1" })).toMatchObject({ status: 200, body: { output: { deleted: false } } })
    })

    test("two keys' memories are isolated through the typed routes, also from the generic route", async () => {
      const a = await register(g)
      const b = await register(g)
      expect((await post(a.key, "/v1/memory/set", { key: "secret", value: "only-a" })).status).toBe(200)
      expect((await post(b.key, "/v1/memory/set", { key: "secret", value: "only-b" })).status).toBe(200)
      expect(await post(a.key, "/v1/memory/get", { key: "secret" })).toMatchObject({ status: 200, body: { output: { value: "only-a" } } })
      expect(await post(b.key, "/v1/memory/get", { key: "secret" })).toMatchObject({ status: 200, body: { output: { value: "only-b" } } })
      const listB = await post(b.key, "/v1/memory/list", {})
      expect(listB.body.output.items).toEqual([expect.objectContaining({ key: "secret", value: "only-b" })])
      // The typed and generic routes share the key's namespace.
      expect(await post(a.key, "/v1/agents/warmmemory", { action: "retrieve", key: "secret" })).toMatchObject({ status: 200, body: { output: { value: "only-a" } } })
      expect((await post(b.key, "/v1/memory/delete", { key: "secret" })).body.output.deleted).toBe(true)
      expect(await post(a.key, "/v1/memory/get", { key: "secret" })).toMatchObject({ status: 200, body: { output: { exists: true, value: "only-a" } } })
    })

    test("answers: teach → ask finds it; update changes it; forget removes it; another key never sees it", async () => {
      const a = await register(g)
      const b = await register(g)
      const taught = await post(a.key, "/v1/answers/teach", { question: "What is our refund window?", answer: "30 days from delivery.", tags: ["policy"] })
      expect(taught).toMatchObject({ status: 200, body: { output: { success: true, action: "teach" }, usage: { cost_micro_usd: 15_000, agent: { id: warmAnswers.id } } } })
      const asked = await post(a.key, "/v1/answers/ask", { question: "refund window?" })
      expect(asked).toMatchObject({ status: 200, body: { output: { answer: "30 days from delivery.", matched_question: "What is our refund window?", tags: ["policy"] } } })
      expect(asked.body.output.confidence).toBeGreaterThanOrEqual(0.5)
      expect(await post(b.key, "/v1/answers/ask", { question: "What is our refund window?" })).toMatchObject({ status: 200, body: { output: { message: "No answer found." } } })
      expect(asked.body.output).not.toHaveProperty("wallet")

      expect(await post(a.key, "/v1/answers/update", { question: "What is our refund window?", answer: "60 days." })).toMatchObject({ status: 200, body: { output: { success: true, action: "update" } } })
      expect(await post(a.key, "/v1/answers/ask", { question: "What is our refund window?" })).toMatchObject({ status: 200, body: { output: { answer: "60 days." } } })
      expect(await post(a.key, "/v1/answers/forget", { question: "What is our refund window?" })).toMatchObject({ status: 200, body: { output: { success: true, action: "forget" } } })
      const gone = await post(a.key, "/v1/answers/ask", { question: "What is our refund window?" })
      expect(gone).toMatchObject({ status: 200, body: { output: { message: "No answer found." } } })
      expect(gone.body.output.answer).toBeUndefined()
    })

    test("typed routes go through the same pipeline: Idempotency-Key replays without paying again", async () => {
      const a = await register(g)
      const first = await post(a.key, "/v1/memory/set", { key: "once", value: "1" }, { "idempotency-key": "set-once" })
      const again = await post(a.key, "/v1/memory/set", { key: "once", value: "1" }, { "idempotency-key": "set-once" })
      expect(first.status).toBe(200)
      expect(again).toMatchObject({ status: 200 })
      expect(again.body).toEqual(first.body)
      expect(again.headers.get("idempotent-replayed")).toBe("true")
      const usage = await readJson(await g.request("/v1/usage/current", { headers: bearer(a.key) }))
      expect(usage).toMatchObject({ status: 200, body: { ops: 1, spend_micro_usd: 1500 } })
    })
  })
}
