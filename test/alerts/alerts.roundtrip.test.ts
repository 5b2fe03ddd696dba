// An alert's round trip against a local receiver: a pool wallet runs low →
// one signed "firing" post (and the pool's floor too) → nothing more while it
// stays low → a refill and a balance check → one "cleared" post. A receiver
// that refuses gets the same post again at the next evaluation. Both dialects.
import { afterAll, describe, expect, test } from "bun:test"
import { createHmac } from "node:crypto"
import { evaluateAlerts } from "../../src/modules/alerts/job"
import { makeGatewayApp } from "../support/gateway"
import { readJson } from "../support/app"
import { dialects } from "../support/db"

const SECRET = "alert-webhook-secret-0123456789"
const ADMIN_TOKEN = "alerts-test-admin-token-0123456789abcdef"

type Post = { body: { text: string; alert: { id: string; kind: string; subject: string; state: string; detail: string } }; signature: string | null; raw: string }

const startReceiver = () => {
  const posts: Array<Post> = []
  const refuse = { next: 0 }
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch: async (req) => {
      const raw = await req.text()
      if (refuse.next > 0) {
        refuse.next--
        return new Response("try later", { status: 503 })
      }
      posts.push({ body: JSON.parse(raw), signature: req.headers.get("tdk-signature"), raw })
      return new Response("ok")
    },
  })
  return { url: `http://127.0.0.1:${server.port}/hooks/alerts`, posts, refuse, stop: () => server.stop(true) }
}

const verified = (p: Post) => {
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(p.signature ?? "")
  return m !== null && createHmac("sha256", SECRET).update(`${m[1]}.${p.raw}`).digest("hex") === m[2] && Math.abs(Date.now() / 1000 - Number(m[1])) < 300
}

const receivers: Array<ReturnType<typeof startReceiver>> = []
afterAll(() => receivers.forEach((r) => r.stop()))

for (const dialect of dialects) {
  describe(`alerts (${dialect})`, () => {
    test("low balance → one signed firing post → silence while it lasts → refill → one cleared post; a refused post is sent again", async () => {
      const receiver = startReceiver()
      receivers.push(receiver)
      const g = await makeGatewayApp(dialect, { ADMIN_TOKEN, ALERT_WEBHOOK_URL: receiver.url, ALERT_WEBHOOK_SECRET: SECRET, POOL_ALERT_TOTAL_USDC: "50000000" })
      try {
        // $5 of USDC: under the $10 low-balance line, and under the $50 floor.
        const [wallet] = await g.seedPool(1, { usdc: 5_000_000, sol: 100_000_000 })
        const admin = { authorization: `Bearer ${ADMIN_TOKEN}` }
        const check = async () => expect((await g.request("/admin/pool/check", { method: "POST", headers: admin })).status).toBe(200)
        const evaluate = () => g.runtime.runPromise(evaluateAlerts())

        await check()
        receiver.refuse.next = 1
        await evaluate()
        // The first post was refused; the next evaluation delivers what is still owed, nothing twice.
        expect(receiver.posts.length).toBe(1)
        await evaluate()
        const firing = receiver.posts.map((p) => p.body.alert)
        expect(firing.map((a) => `${a.kind} ${a.state}`).sort()).toEqual(["pool_total_low firing", "wallet_low firing"])
        expect(firing.find((a) => a.kind === "wallet_low")!.subject).toBe(wallet!.publicKey)
        expect(receiver.posts.every(verified)).toBe(true)
        expect(receiver.posts.every((p) => p.body.text.includes("firing"))).toBe(true)

        await evaluate()
        await check()
        await evaluate()
        expect(receiver.posts.length).toBe(2)
        const listed = await readJson(await g.request("/admin/alerts", { headers: admin }))
        expect(listed.body.alerts.filter((a: { state: string; delivered: boolean }) => a.state === "firing" && a.delivered).length).toBe(2)

        await g.fund(wallet!.publicKey, { usdc: 95_000_000 })
        await check()
        await evaluate()
        const cleared = receiver.posts.slice(2).map((p) => p.body.alert)
        expect(cleared.map((a) => `${a.kind} ${a.state}`).sort()).toEqual(["pool_total_low cleared", "wallet_low cleared"])
        expect(receiver.posts.every(verified)).toBe(true)
        await evaluate()
        expect(receiver.posts.length).toBe(4)
        const after = await readJson(await g.request("/admin/alerts", { headers: admin }))
        expect(after.body.alerts.map((a: { state: string }) => a.state)).toEqual(["cleared", "cleared"])
        expect(g.logs.join("\n")).toContain('"msg":"alert firing"')
        expect(g.logs.join("\n")).not.toContain(SECRET)
      } finally {
        await g.close()
      }
    })
  })
}
