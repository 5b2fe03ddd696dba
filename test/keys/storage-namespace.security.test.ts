// A key's storage namespace is a server secret: whoever can name it can read
// and write the key's data on an agent that keys data by namespace alone. No
// response (key management, admin listings, the calls that use it, their
// failures) and no log line ever holds it.
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { sql } from "drizzle-orm"
import { Effect } from "effect"
import { Database } from "../../src/platform/db/database"
import { readJson, waitForLog } from "../support/app"
import { bearer, login, register } from "../support/accounts"
import { selectAll } from "../support/billing"
import { dialects } from "../support/db"
import { makeGatewayApp, type GatewayApp } from "../support/gateway"

const ADMIN = "admin-token-0123456789-abcdefghij"

for (const dialect of dialects) {
  describe(`storage namespace secrecy (${dialect})`, () => {
    let g: GatewayApp
    beforeAll(async () => {
      g = await makeGatewayApp(dialect, { ADMIN_TOKEN: ADMIN })
      await g.seedPool(2)
    })
    afterAll(() => g.close())

    test("no response and no log line of a key's whole life carries its storage namespace", async () => {
      const responses: Array<string> = []
      const call = async (path: string, init: RequestInit & { json?: unknown } = {}) => {
        const r = await readJson(await g.request(path, init))
        responses.push(`${r.status} ${r.text} ${JSON.stringify([...(r.headers as unknown as Iterable<[string, string]>)])}`)
        return r
      }
      const a = await register(g)
      const token = await login(g, a.email)
      const created = await call("/v1/keys", { method: "POST", headers: bearer(token), json: { name: "second" } })
      expect(created).toMatchObject({ status: 201 })
      const second = created.body.key as string
      for (const key of [a.key, second]) {
        await call("/v1/key", { headers: bearer(key) })
        await call("/v1/memory/set", { method: "POST", headers: bearer(key), json: { key: "k", value: "v" } })
        await call("/v1/memory/get", { method: "POST", headers: bearer(key), json: { key: "k" } })
        await call("/v1/memory/list", { method: "POST", headers: bearer(key), json: {} })
        await call("/v1/answers/teach", { method: "POST", headers: bearer(key), json: { question: "Where?", answer: "Here" } })
        await call("/v1/answers/ask", { method: "POST", headers: bearer(key), json: { question: "Where?" } })
        await call("/v1/agents/warmmemory", { method: "POST", headers: bearer(key), json: { action: "retrieve", key: "k", wallet: "someone-else" } })
        // Refused by the agent's input schema: the marketplace's message is relayed, the input is not.
        const refused = await call("/v1/agents/warmmemory", { method: "POST", headers: bearer(key), json: { action: "store", key: "k" } })
        expect(refused.status).toBeGreaterThanOrEqual(400)
        await call("/v1/usage/history", { headers: bearer(key) })
      }
      await call("/v1/keys", { headers: bearer(token) })
      await call("/admin/keys", { headers: bearer(ADMIN) })
      await call(`/admin/keys/${a.keyId}`, { method: "PATCH", headers: bearer(ADMIN), json: { rate_limit_per_minute: 50 } })
      await call(`/admin/keys/${a.keyId}/suspend`, { method: "POST", headers: bearer(ADMIN), json: { reason: "review" } })
      await call(`/admin/keys/${a.keyId}/reinstate`, { method: "POST", headers: bearer(ADMIN) })
      await call("/admin/users", { headers: bearer(ADMIN) })
      await call("/admin/pool", { headers: bearer(ADMIN) })
      await call(`/v1/keys/${created.body.id}/roll`, { method: "POST", headers: bearer(token), json: { grace_seconds: 30 } })
      await call(`/v1/keys/${created.body.id}`, { method: "DELETE", headers: bearer(token) })
      await call("/v1/auth/logout", { method: "POST", headers: bearer(token) })
      await waitForLog(g.logs, (l) => l.includes('"path":"/v1/auth/logout"'))

      const db = await g.runtime.runPromise(Effect.flatMap(Database, Effect.succeed))
      const namespaces = (await selectAll(db, sql`select storage_namespace from api_keys where user_id = ${a.userId}`)).map((r) => r.storage_namespace as string)
      expect(namespaces).toHaveLength(2)
      expect(responses.length).toBeGreaterThan(20)
      expect(g.logs.length).toBeGreaterThan(20)
      const logs = g.logs.join("\n")
      for (const ns of namespaces) {
        // Any 16-character window of it counts as a leak.
        for (const probe of [ns, ns.slice(3, 19), ns.slice(-16)]) {
          expect({ probe, inLogs: logs.includes(probe) }).toEqual({ probe, inLogs: false })
          expect({ probe, inResponses: responses.some((r) => r.includes(probe)) }).toEqual({ probe, inResponses: false })
        }
      }
    })
  })
}
