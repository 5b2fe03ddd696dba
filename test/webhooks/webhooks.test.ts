// Developer webhooks end to end: an endpoint registered with its secret shown
// once; calls that reach 80 % and 100 % of the quota, a spend cap refusal, a
// roll, a revoke, a suspension and a reinstatement each post one signed event
// to a local receiver; a post the receiver refuses is retried after its
// backoff; a private address is refused unless allowed.
import { afterAll, describe, expect, test } from "bun:test"
import { createHmac } from "node:crypto"
import { Effect } from "effect"
import { deliverDue, RETRY_DELAYS_MS } from "../../src/modules/webhooks/delivery"
import { RETENTION_MS } from "../../src/modules/webhooks/job"
import { Store, type StoreShape } from "../../src/store/store"
import { makeGatewayApp } from "../support/gateway"
import { makeTestApp, readJson } from "../support/app"
import { bearer, login, register } from "../support/accounts"
import { manualClock } from "../support/clock"
import { dialects } from "../support/db"

const ADMIN_TOKEN = "webhooks-test-admin-token-0123456789abcdef"
type Event = { id: string; type: string; created: number; data: Record<string, any> }
type Post = { event: Event; raw: string; signature: string | null }

const startReceiver = () => {
  const posts: Array<Post> = []
  const refuse = { next: 0, seen: 0 }
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch: async (req) => {
      const raw = await req.text()
      refuse.seen++
      if (refuse.next > 0) {
        refuse.next--
        return new Response("busy", { status: 500 })
      }
      posts.push({ event: JSON.parse(raw), raw, signature: req.headers.get("tdk-signature") })
      return new Response(null, { status: 204 })
    },
  })
  return { url: `http://127.0.0.1:${server.port}/tdk-events`, posts, refuse, stop: () => server.stop(true) }
}
const receivers: Array<ReturnType<typeof startReceiver>> = []
afterAll(() => receivers.forEach((r) => r.stop()))

const verifiedWith = (secret: string) => (p: Post) => {
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(p.signature ?? "")
  return m !== null && createHmac("sha256", secret).update(`${m[1]}.${p.raw}`).digest("hex") === m[2]
}

for (const dialect of dialects) {
  describe(`developer webhooks (${dialect})`, () => {
    test("thresholds, cap, roll, revoke, suspend and reinstate each post one signed event; a refused post is retried after its backoff", async () => {
      const receiver = startReceiver()
      receivers.push(receiver)
      const clock = manualClock(Date.now())
      const g = await makeGatewayApp(dialect, { ADMIN_TOKEN, WEBHOOK_ALLOW_PRIVATE_HOSTS: "true" }, { clock })
      try {
        await g.seedPool(1)
        const a = await register(g)
        const session = await login(g, a.email)
        const created = await readJson(await g.request("/v1/webhook-endpoints", { method: "POST", headers: bearer(session), json: { url: receiver.url } }))
        expect(created.status).toBe(201)
        const secret = created.body.secret as string
        expect(secret).toMatch(/^whsec_/)
        const listed = await readJson(await g.request("/v1/webhook-endpoints", { headers: bearer(session) }))
        expect(listed.body.endpoints.map((e: { id: string }) => e.id)).toEqual([created.body.id])
        expect(JSON.stringify(listed.body)).not.toContain(secret)

        const admin = { authorization: `Bearer ${ADMIN_TOKEN}` }
        const patch = (json: unknown) => g.request(`/admin/keys/${a.keyId}`, { method: "PATCH", headers: admin, json })
        expect((await patch({ monthly_quota: 5 })).status).toBe(200)
        const call = () => g.request("/v1/agents/title-generator", { method: "POST", headers: bearer(a.key), json: { text: "webhooks" } })
        for (let i = 0; i < 5; i++) expect((await call()).status).toBe(200)
        // A quota raised mid-month is told again when the new one is reached (80 % of 10: the 8th call).
        expect((await call()).status).toBe(402)
        expect((await patch({ monthly_quota: 10 })).status).toBe(200)
        for (let i = 0; i < 3; i++) expect((await call()).status).toBe(200)
        // The cap: what was spent so far, so the next call is refused by it (twice: one event).
        const spent = (await readJson(await g.request("/v1/keys", { headers: bearer(session) }))).body.keys[0].spend_this_month_micro_usd as number
        expect((await patch({ monthly_quota: null, monthly_spend_cap_micro_usd: spent })).status).toBe(200)
        expect((await call()).status).toBe(402)
        expect((await call()).status).toBe(402)
        expect((await g.request(`/admin/keys/${a.keyId}/suspend`, { method: "POST", headers: admin, json: { reason: "abuse report 7" } })).status).toBe(200)
        expect((await g.request(`/admin/keys/${a.keyId}/reinstate`, { method: "POST", headers: admin })).status).toBe(200)
        expect((await g.request(`/v1/keys/${a.keyId}/roll`, { method: "POST", headers: bearer(session), json: { grace_seconds: 0 } })).status).toBe(200)
        expect((await g.request(`/v1/keys/${a.keyId}`, { method: "DELETE", headers: bearer(session) })).status).toBe(200)

        // The first post is refused: it waits its backoff, the others go.
        receiver.refuse.next = 1
        for (let i = 0; i < 3; i++) await g.runtime.runPromise(deliverDue())
        expect(receiver.posts.length).toBe(7)
        clock.advance(RETRY_DELAYS_MS[0])
        for (let i = 0; i < 2; i++) await g.runtime.runPromise(deliverDue())
        expect(receiver.posts.length).toBe(8)
        expect(receiver.refuse.seen).toBe(9)

        const events = receiver.posts.map((p) => p.event)
        expect(events.map((e) => e.type).sort()).toEqual(["key.reinstated", "key.revoked", "key.rolled", "key.suspended", "usage.quota_threshold", "usage.quota_threshold", "usage.quota_threshold", "usage.spend_cap_reached"])
        // The refusal at 5 of 5 is the same fact as the call that reached it: one event.
        expect(events.filter((e) => e.type === "usage.quota_threshold").map((e) => `${e.data.threshold}% ${e.data.used}/${e.data.quota}`).sort()).toEqual(["100% 5/5", "80% 4/5", "80% 8/10"])
        expect(events.find((e) => e.type === "key.suspended")!.data).toMatchObject({ key: { id: a.keyId }, reason: "abuse report 7" })
        expect(new Set(events.map((e) => e.id)).size).toBe(8)
        expect(receiver.posts.every(verifiedWith(secret))).toBe(true)
        // No secret in any event: not the key, not the endpoint's secret.
        for (const p of receiver.posts) {
          expect(p.raw).not.toContain(a.key)
          expect(p.raw).not.toContain(secret)
        }
        const after = await readJson(await g.request("/v1/webhook-endpoints", { headers: bearer(session) }))
        expect(after.body.endpoints[0].recent_deliveries.every((d: { state: string }) => d.state === "delivered")).toBe(true)

        // Deleted, it receives nothing more.
        expect((await g.request(`/v1/webhook-endpoints/${created.body.id}`, { method: "DELETE", headers: bearer(session) })).status).toBe(200)
        expect((await g.request(`/v1/webhook-endpoints/${created.body.id}`, { method: "DELETE", headers: bearer(session) })).status).toBe(404)
      } finally {
        await g.close()
      }
    }, 60_000)
  })
}

describe("webhook endpoint URLs", () => {
  test("a loopback, private or link-local address is refused with 422 unless WEBHOOK_ALLOW_PRIVATE_HOSTS; unknown event types too", async () => {
    const h = await makeTestApp("sqlite")
    try {
      const a = await register(h)
      const session = await login(h, a.email)
      for (const url of [
        "http://127.0.0.1:9/x", "http://localhost/x", "http://localhost./x", "http://foo.localhost./x", "http://metadata/x", "http://metadata.google.internal./x", "http://10.0.0.1/x",
        "http://169.254.169.254/latest/meta-data", "http://2130706433/x", "http://0x7f.1/x", "http://[::1]/x", "http://[::ffff:127.0.0.1]/x", "http://[::7f00:1]/x", "http://[64:ff9b::a9fe:a9fe]/x",
        "http://[2002:7f00:1::]/x", "http://[fec0::1]/x", "http://198.18.0.1/x", "http://224.0.0.1/x", "http://255.255.255.255/x", "ftp://example.com/x", "https://user:pw@example.com/x",
      ]) {
        const r = await readJson(await h.request("/v1/webhook-endpoints", { method: "POST", headers: bearer(session), json: { url } }))
        expect({ url, status: r.status }).toEqual({ url, status: 422 })
      }
      expect((await h.request("/v1/webhook-endpoints", { method: "POST", headers: bearer(session), json: { url: "https://hooks.example.com/tdk", events: ["key.exploded"] } })).status).toBe(422)
      const ok = await readJson(await h.request("/v1/webhook-endpoints", { method: "POST", headers: bearer(session), json: { url: "https://hooks.example.com/tdk", events: ["key.revoked"] } }))
      expect(ok).toMatchObject({ status: 201, body: { events: ["key.revoked"] } })
      expect((await h.request("/v1/webhook-endpoints", { method: "POST", json: { url: "https://hooks.example.com/tdk" } })).status).toBe(401)
    } finally {
      await h.close()
    }
  })
})

describe("webhook delivery retention", () => {
  test("delivered and failed rows older than 35 days are pruned; pending ones and recent ones stay", async () => {
    const h = await makeTestApp("sqlite")
    try {
      const now = Date.now()
      const row = (id: string, createdAt: number) => ({ id, eventId: id, endpointId: "whe_x", userId: "usr_x", type: "key.rolled", payload: "{}", nextAttemptAt: createdAt, createdAt })
      const run = <A>(f: (s: StoreShape) => Effect.Effect<A, unknown>) => h.runtime.runPromise(Effect.flatMap(Store, f) as Effect.Effect<A>)
      await run((s) => s.webhooks.enqueue([row("old_done", now - RETENTION_MS - 1), row("old_failed", now - RETENTION_MS - 1), row("old_pending", now - RETENTION_MS - 1), row("new_done", now)]))
      for (const [id, state] of [["old_done", "delivered"], ["old_failed", "failed"], ["new_done", "delivered"]] as const) await run((s) => s.webhooks.attempted(id, { state, attempts: 1, nextAttemptAt: now, status: 200, error: null, now }))
      expect(await run((s) => s.webhooks.prune(now - RETENTION_MS, 100))).toBe(2)
      const left = await run((s) => s.webhooks.deliveries("whe_x", 10))
      expect(left.map((d) => d.id).sort()).toEqual(["new_done", "old_pending"])
    } finally {
      await h.close()
    }
  })
})
