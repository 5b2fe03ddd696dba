// A key's stored data against an outsider and against its neighbours, on
// every dialect. The outsider has a funded wallet of its own and pays the
// sandbox's storage agents directly (no gateway), naming as input.wallet every
// namespace it could derive from what the server hands out, and the key's real
// one. The gateway's own defence is checked apart from the sandbox's: what it
// sends as input.wallet is the key's stored, random namespace.
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { Keypair } from "@solana/web3.js"
import { sql } from "drizzle-orm"
import { Effect } from "effect"
import { Database } from "../../src/platform/db/database"
import { warmAnswers } from "../../src/modules/sandbox/agents/warm-answers"
import { warmMemory } from "../../src/modules/sandbox/agents/warm-memory"
import { readJson } from "../support/app"
import { bearer, login, register } from "../support/accounts"
import { selectAll } from "../support/billing"
import { dialects } from "../support/db"
import { makeGatewayApp, type GatewayApp } from "../support/gateway"
import { callAgent } from "../sandbox/helpers"

type Build = { readonly agentId: string; readonly payer: string; readonly wallet: unknown }

for (const dialect of dialects) {
  describe(`storage namespaces (${dialect})`, () => {
    let g: GatewayApp
    // Every build-transaction the gateway (or the outsider) sends to the sandbox marketplace.
    const builds: Array<Build> = []
    beforeAll(async () => {
      g = await makeGatewayApp(dialect, {}, {
        tap: async (r) => {
          const m = /\/sandbox\/tetto\/api\/agents\/([^/]+)\/build-transaction$/.exec(new URL(r.url).pathname)
          if (!m || r.method !== "POST") return
          const body = (await r.json()) as { payer_wallet: string; input: Record<string, unknown> }
          builds.push({ agentId: m[1]!, payer: body.payer_wallet, wallet: body.input.wallet })
        },
      })
      // One pool wallet: every key shares it, as many keys do in production.
      await g.seedPool(1)
    })
    afterAll(() => g.close())

    const post = async (key: string, path: string, json: unknown) => readJson(await g.request(path, { method: "POST", json, headers: bearer(key) }))
    const row = async (keyId: string) => {
      const db = await g.runtime.runPromise(Effect.flatMap(Database, Effect.succeed))
      const [r] = await selectAll(db, sql`select k.storage_namespace, k.wallet_id, w.public_key from api_keys k left join wallet_pool w on w.id = k.wallet_id where k.id = ${keyId}`)
      return { namespace: r!.storage_namespace as string, walletId: r!.wallet_id as string | null, walletPublicKey: r!.public_key as string | null }
    }
    /** The input.wallet of the gateway's build-transaction for `run`'s one storage call. */
    const sentNamespace = async (run: () => Promise<unknown>) => {
      const before = builds.length
      await run()
      const sent = builds.slice(before)
      expect(sent).toHaveLength(1)
      return sent[0]!.wallet
    }

    test("an outsider paying WarmMemory and WarmAnswers directly reads nothing of a key's data and plants nothing it sees, whatever namespace it names", async () => {
      const victim = await register(g)
      const stored = await post(victim.key, "/v1/memory/set", { key: "secret", value: "victim-value" })
      expect(stored).toMatchObject({ status: 200 })
      const requestId = stored.headers.get("x-request-id")!
      expect(requestId).toStartWith("req_")
      expect(await post(victim.key, "/v1/answers/teach", { question: "What is the launch code?", answer: "0000" })).toMatchObject({ status: 200 })
      const outsider = Keypair.generate()
      await g.fund(outsider.publicKey.toBase58(), { usdc: 10_000_000, sol: 10_000_000 })
      const probe = async (wallet: string) => {
        const read = await callAgent(g, warmMemory.id, outsider, { action: "retrieve", key: "secret", wallet })
        expect({ wallet, read }).toMatchObject({ wallet, read: { status: 200, body: { ok: true, output: { exists: false, value: null } } } })
        const listed = await callAgent(g, warmMemory.id, outsider, { action: "list", wallet })
        expect({ wallet, listed }).toMatchObject({ wallet, listed: { status: 200, body: { output: { items: [], count: 0 } } } })
        const asked = await callAgent(g, warmAnswers.id, outsider, { action: "ask", question: "What is the launch code?", wallet })
        expect({ wallet, asked }).toMatchObject({ wallet, asked: { status: 200, body: { output: { success: true, message: "No answer found." } } } })
        expect(asked.body.output.answer).toBeUndefined()
        // Plant what the victim would read back if the namespace were shared.
        expect(await callAgent(g, warmMemory.id, outsider, { action: "store", key: "secret", value: "planted", wallet })).toMatchObject({ status: 200 })
        expect(await callAgent(g, warmMemory.id, outsider, { action: "store", key: "planted-key", value: "planted", wallet })).toMatchObject({ status: 200 })
        expect(await callAgent(g, warmAnswers.id, outsider, { action: "teach", question: "What is the launch code?", answer: "planted", wallet })).toMatchObject({ status: 200 })
      }
      // Everything the server hands out: ids and what could be made of them.
      for (const wallet of [`tdk_${victim.keyId}`, victim.keyId, victim.userId, `tdk_${victim.userId}`, requestId, `tdk_${requestId}`]) await probe(wallet)
      // And what an outsider cannot learn: the key's real namespace and its pool wallet.
      const v = await row(victim.keyId)
      for (const wallet of [v.namespace, v.walletPublicKey!]) await probe(wallet)
      // Without input.wallet the outsider reaches only its own data.
      expect(await callAgent(g, warmMemory.id, outsider, { action: "retrieve", key: "secret" })).toMatchObject({ body: { output: { exists: false } } })

      expect(await post(victim.key, "/v1/memory/get", { key: "secret" })).toMatchObject({ status: 200, body: { output: { exists: true, value: "victim-value" } } })
      expect(await post(victim.key, "/v1/memory/get", { key: "planted-key" })).toMatchObject({ status: 200, body: { output: { exists: false } } })
      const listed = await post(victim.key, "/v1/memory/list", {})
      expect(listed.body.output.items.map((i: { key: string; value: string }) => [i.key, i.value])).toEqual([["secret", "victim-value"]])
      expect(await post(victim.key, "/v1/answers/ask", { question: "What is the launch code?" })).toMatchObject({ status: 200, body: { output: { answer: "0000" } } })
    })

    test("two keys on the same pool wallet each send their own stored namespace and never see each other's data", async () => {
      const a = await register(g)
      const b = await register(g)
      const nsA = await sentNamespace(() => post(a.key, "/v1/memory/set", { key: "shared-name", value: "a" }))
      const nsB = await sentNamespace(() => post(b.key, "/v1/memory/set", { key: "shared-name", value: "b" }))
      const [ra, rb] = [await row(a.keyId), await row(b.keyId)]
      expect(ra.walletId).not.toBeNull()
      expect(rb.walletId).toBe(ra.walletId)
      // What reached the agent is the stored namespace: random, unrelated to any id the server hands out.
      expect(nsA).toBe(ra.namespace)
      expect(nsB).toBe(rb.namespace)
      expect(nsA).not.toBe(nsB)
      for (const [ns, k] of [[ra.namespace, a], [rb.namespace, b]] as const) {
        expect(ns).toMatch(/^ns_[1-9A-HJ-NP-Za-km-z]{40,45}$/)
        for (const id of [k.keyId, k.userId, k.keyId.slice(4), k.userId.slice(4)]) expect(ns).not.toContain(id)
      }

      expect(await post(a.key, "/v1/memory/get", { key: "shared-name" })).toMatchObject({ status: 200, body: { output: { value: "a" } } })
      expect(await post(b.key, "/v1/memory/get", { key: "shared-name" })).toMatchObject({ status: 200, body: { output: { value: "b" } } })
      // Naming the neighbour's namespace through the gateway changes nothing: the key's own is sent.
      const sent = await sentNamespace(async () => {
        const r = await readJson(await g.request("/v1/agents/warmmemory", { method: "POST", json: { action: "retrieve", key: "shared-name", wallet: ra.namespace }, headers: bearer(b.key) }))
        expect(r).toMatchObject({ status: 200, body: { output: { value: "b" } } })
      })
      expect(sent).toBe(rb.namespace)
    })

    test("a key keeps its namespace and its data across a roll, under the new secret and the old one in its grace", async () => {
      const a = await register(g)
      const before = await sentNamespace(() => post(a.key, "/v1/memory/set", { key: "kept", value: "across-roll" }))
      const token = await login(g, a.email)
      const rolled = await readJson(await g.request(`/v1/keys/${a.keyId}/roll`, { method: "POST", json: { grace_seconds: 60 }, headers: bearer(token) }))
      expect(rolled).toMatchObject({ status: 200, body: { id: a.keyId } })
      expect((await row(a.keyId)).namespace).toBe(before as string)
      const after = await sentNamespace(async () => {
        expect(await post(rolled.body.key, "/v1/memory/get", { key: "kept" })).toMatchObject({ status: 200, body: { output: { exists: true, value: "across-roll" } } })
      })
      expect(after).toBe(before)
      expect(await post(a.key, "/v1/memory/get", { key: "kept" })).toMatchObject({ status: 200, body: { output: { value: "across-roll" } } })
    })
  })
}
