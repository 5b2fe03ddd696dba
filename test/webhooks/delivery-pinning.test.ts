// A delivery connects to the address its endpoint's name resolved to and was
// checked against, not to the name again (a name that answers otherwise a
// moment later, DNS rebinding, changes nothing): the name stays in the Host
// header, over https the certificate is checked against the name (a real
// handshake, with a test authority trusted in a child process), and an
// address that refuses the connection gives way to the next one checked.
import { afterAll, describe, expect, test } from "bun:test"
import { join } from "node:path"
import { deliverDue, pinnedTo, postByAddress } from "../../src/modules/webhooks/delivery"
import { makeTestApp, readJson } from "../support/app"
import { bearer, login, register } from "../support/accounts"

describe("the address a delivery connects to", () => {
  test("the URL's host becomes the checked address; the Host header and the TLS name keep the endpoint's name and port", () => {
    const shape = (p: ReturnType<typeof pinnedTo>) => p && { url: p.url, host: p.host, name: p.name, tls: p.tls?.serverName }
    expect(shape(pinnedTo("https://hooks.example.com/tdk?x=1", "93.184.216.34"))).toEqual({ url: "https://93.184.216.34/tdk?x=1", host: "hooks.example.com", name: "hooks.example.com", tls: "hooks.example.com" })
    expect(shape(pinnedTo("http://hooks.example.com:8080/tdk", "93.184.216.34"))).toEqual({ url: "http://93.184.216.34:8080/tdk", host: "hooks.example.com:8080", name: "hooks.example.com", tls: undefined })
    expect(shape(pinnedTo("https://hooks.example.com/tdk", "2606:2800:220:1::1"))).toEqual({ url: "https://[2606:2800:220:1::1]/tdk", host: "hooks.example.com", name: "hooks.example.com", tls: "hooks.example.com" })
    // An address literal in the URL is checked as an address, as before.
    expect(shape(pinnedTo("https://[2606:2800:220:1::1]:8443/tdk", "2606:2800:220:1::1"))).toEqual({ url: "https://[2606:2800:220:1::1]:8443/tdk", host: "[2606:2800:220:1::1]:8443", name: "2606:2800:220:1::1", tls: undefined })
    // An address that cannot stand in a URL is not connected to (nor the name asked again).
    expect(pinnedTo("http://hooks.example:8080/p", "fe80::1%eth0")).toBeUndefined()
    expect(pinnedTo("http://hooks.example:8080/p", "hooks.example")).toBeUndefined()
  })

  test("https by address: a certificate for the endpoint's name is accepted, one for another name is refused", async () => {
    const child = Bun.spawnSync([process.execPath, join(import.meta.dir, "../support/tls-delivery.ts")], {
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", NODE_EXTRA_CA_CERTS: join(import.meta.dir, "../support/fixtures/test-ca.pem") },
    })
    expect(child.exitCode).toBe(0)
    const result = JSON.parse(child.stdout.toString())
    expect(result.named).toEqual({ status: 204, error: null })
    expect(result.misnamed.status).toBeNull()
  })

  test("an address that refuses the connection gives way to the next one checked", async () => {
    const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: (req) => new Response(null, { status: 204, headers: { "x-host": req.headers.get("host") ?? "" } }) })
    try {
      // Nothing listens on 127.0.0.2 (the server is bound to 127.0.0.1 only).
      expect(await postByAddress(`http://hooks.test:${server.port}/tdk-events`, ["127.0.0.2", "127.0.0.1"], { headers: {}, body: "{}", timeoutMs: 5_000 })).toEqual({ status: 204, error: null })
      expect((await postByAddress(`http://hooks.test:${server.port}/tdk-events`, ["127.0.0.2"], { headers: {}, body: "{}", timeoutMs: 5_000 })).status).toBeNull()
    } finally {
      server.stop(true)
    }
  })
})

describe("deliveries by name", () => {
  const seen: Array<{ host: string | null; url: string }> = []
  const plain = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: (req) => (seen.push({ host: req.headers.get("host"), url: req.url }), new Response(null, { status: 204 })) })
  afterAll(() => plain.stop(true))

  const deliveredTo = async (url: string) => {
    const h = await makeTestApp("sqlite", { WEBHOOK_ALLOW_PRIVATE_HOSTS: "true" })
    try {
      const a = await register(h)
      const session = await login(h, a.email)
      expect((await h.request("/v1/webhook-endpoints", { method: "POST", headers: bearer(session), json: { url } })).status).toBe(201)
      // key.rolled: an event for the endpoint.
      expect((await readJson(await h.request(`/v1/keys/${a.keyId}/roll`, { method: "POST", headers: bearer(session), json: {} }))).status).toBe(200)
      return await h.runtime.runPromise(deliverDue())
    } finally {
      await h.close()
    }
  }

  test("http: posted to the address the name resolved to, with the endpoint's own Host", async () => {
    seen.length = 0
    // What the delivery asks fetch to connect to.
    const asked: Array<string> = []
    const realFetch = globalThis.fetch
    globalThis.fetch = Object.assign((input: string | URL | Request, init?: RequestInit) => (asked.push(String(input instanceof Request ? input.url : input)), realFetch(input, init)), realFetch)
    try {
      expect(await deliveredTo(`http://localhost:${plain.port}/tdk-events`)).toEqual({ attempted: 1, delivered: 1 })
    } finally {
      globalThis.fetch = realFetch
    }
    expect(asked.filter((u) => u.endsWith("/tdk-events"))).toEqual([`http://127.0.0.1:${plain.port}/tdk-events`])
    expect(seen).toEqual([{ host: `localhost:${plain.port}`, url: `http://localhost:${plain.port}/tdk-events` }])
  })
})
