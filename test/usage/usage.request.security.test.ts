// GET /v1/usage/requests/{request_id}: who sees a call. A key sees its own
// calls, a session every key of its user; anything else answers exactly as an
// id nobody used, so a request id never tells whether a call exists. Unknown
// ids are 404, ids request-id.ts would never accept are 422. On every dialect.
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { readJson } from "../support/app"
import { bearer, login, register } from "../support/accounts"
import { dialects } from "../support/db"
import { makeGatewayApp, type GatewayApp } from "../support/gateway"

for (const dialect of dialects) {
  describe(`usage of one request: who sees it (${dialect})`, () => {
    let g: GatewayApp
    beforeAll(async () => {
      g = await makeGatewayApp(dialect)
      await g.seedPool(1)
    })
    afterAll(() => g.close())

    const call = async (key: string, headers: Record<string, string> = {}) => {
      const r = await readJson(await g.request("/v1/agents/warmmemory", { method: "POST", json: { action: "store", key: "k", value: "v" }, headers: { ...bearer(key), ...headers } }))
      expect(r).toMatchObject({ status: 200 })
      return r.body as { usage: { request_id: string }; receipt: { receipt_id: string } }
    }
    const lookup = async (requestId: string, headers: Record<string, string>) => readJson(await g.request(`/v1/usage/requests/${requestId}`, { headers }))
    /** The 404 as a caller sees it, without what differs per request (its own request id, the id echoed). */
    const notFound = (r: Awaited<ReturnType<typeof lookup>>, requestId: string) => {
      const { request_id: _, ...body } = r.body
      return { status: r.status, body: { ...body, detail: String(body.detail).replace(requestId, "<id>") } }
    }

    test("another user's call is 404 exactly as an id nobody used, by key and by session", async () => {
      const owner = await register(g)
      const other = await register(g)
      const otherSession = await login(g, other.email)
      const { usage } = await call(owner.key)

      const unused = "req_01M8RHFGHRA4909Q49EJTTD976"
      for (const credentials of [bearer(other.key), bearer(otherSession), { cookie: `tdk_session=${otherSession}` }]) {
        const theirs = await lookup(usage.request_id, credentials)
        expect(theirs).toMatchObject({ status: 404, body: { code: "request_not_found" } })
        expect(notFound(theirs, usage.request_id)).toEqual(notFound(await lookup(unused, credentials), unused))
      }
      expect(await lookup(usage.request_id, bearer(owner.key))).toMatchObject({ status: 200 })
    })

    test("one request id sent by two users shows each their own call", async () => {
      const a = await register(g)
      const b = await register(g)
      const shared = { "x-request-id": `shared-${crypto.randomUUID()}` }
      // B's is the older: a session lookup that ignored the user would find A's.
      const byB = await call(b.key, shared)
      const byA = await call(a.key, shared)
      expect(await lookup(shared["x-request-id"], bearer(a.key))).toMatchObject({ status: 200, body: { key_id: a.keyId, receipt_id: byA.receipt.receipt_id } })
      expect(await lookup(shared["x-request-id"], bearer(await login(g, b.email)))).toMatchObject({ status: 200, body: { key_id: b.keyId, receipt_id: byB.receipt.receipt_id } })
      expect(await lookup(shared["x-request-id"], bearer((await register(g)).key))).toMatchObject({ status: 404, body: { code: "request_not_found" } })
    })

    test("a key sees only its own calls; the user's session sees every key's", async () => {
      const u = await register(g)
      const session = await login(g, u.email)
      const created = await readJson(await g.request("/v1/keys", { method: "POST", json: { name: "second" }, headers: bearer(session) }))
      expect(created).toMatchObject({ status: 201 })
      const second = { keyId: created.body.id as string, key: created.body.key as string }
      const { usage } = await call(second.key)

      expect(await lookup(usage.request_id, bearer(u.key))).toMatchObject({ status: 404, body: { code: "request_not_found" } })
      expect(await lookup(usage.request_id, bearer(second.key))).toMatchObject({ status: 200, body: { key_id: second.keyId } })
      expect(await lookup(usage.request_id, bearer(session))).toMatchObject({ status: 200, body: { key_id: second.keyId } })
      // An API key in Authorization wins over the cookie: that key's calls only.
      expect(await lookup(usage.request_id, { ...bearer(u.key), cookie: `tdk_session=${session}` })).toMatchObject({ status: 404 })
    })

    test("without credentials, or with a dead session, it is 401 whether or not the call exists", async () => {
      const a = await register(g)
      const { usage } = await call(a.key)
      expect(await lookup(usage.request_id, {})).toMatchObject({ status: 401, body: { code: "api_key_missing" } })
      expect(await lookup(usage.request_id, bearer("tks_1111111111111111111111111111111"))).toMatchObject({ status: 401, body: { code: "session_required" } })
      expect(await lookup("nobody-used-this", {})).toMatchObject({ status: 401, body: { code: "api_key_missing" } })
    })

    test("an id request-id.ts would never accept is 422 naming request_id", async () => {
      const a = await register(g)
      for (const bad of ["x".repeat(129), "bad!id", "a%20b", "%C3%A9t%C3%A9", "a%2Fb", "%00"]) {
        const r = await lookup(bad, bearer(a.key))
        expect({ bad, status: r.status, body: r.body }).toMatchObject({ bad, status: 422, body: { code: "invalid_input", errors: [{ field: "request_id" }] } })
      }
      // The longest acceptable id is looked up (and not found).
      expect(await lookup("x".repeat(128), bearer(a.key))).toMatchObject({ status: 404, body: { code: "request_not_found" } })
    })
  })
}
