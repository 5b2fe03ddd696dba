// With OTEL_EXPORTER_OTLP_ENDPOINT set, the pipeline's spans reach an
// OTLP/HTTP collector (a small receiver here), each carrying the request id
// of the call it belongs to.
import { afterAll, describe, expect, test } from "bun:test"
import { makeGatewayApp } from "../support/gateway"
import { bearer, register } from "../support/accounts"
import { readJson } from "../support/app"

type Attribute = { key: string; value: { stringValue?: string } }
type Span = { name: string; attributes?: Array<Attribute> }

/** A collector that keeps every span it is sent, with the resource's service.name. */
const startReceiver = () => {
  const spans: Array<Span & { service: string | undefined }> = []
  let requests = 0
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch: async (req) => {
      requests++
      if (req.method !== "POST" || new URL(req.url).pathname !== "/v1/traces") return new Response("not found", { status: 404 })
      const body = (await req.json()) as { resourceSpans: Array<{ resource?: { attributes?: Array<Attribute> }; scopeSpans: Array<{ spans: Array<Span> }> }> }
      for (const rs of body.resourceSpans) {
        const service = rs.resource?.attributes?.find((a) => a.key === "service.name")?.value.stringValue
        for (const ss of rs.scopeSpans) for (const span of ss.spans) spans.push({ ...span, service })
      }
      return Response.json({})
    },
  })
  return { url: `http://127.0.0.1:${server.port}`, spans, requests: () => requests, stop: () => server.stop(true) }
}

const receivers: Array<ReturnType<typeof startReceiver>> = []
afterAll(() => receivers.forEach((r) => r.stop()))

const attribute = (span: Span, key: string) => span.attributes?.find((a) => a.key === key)?.value.stringValue

describe("traces over OTLP", () => {
  test("every step of a paid call is exported with the call's request id and the service name", async () => {
    const receiver = startReceiver()
    receivers.push(receiver)
    const g = await makeGatewayApp("sqlite", { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_BSP_SCHEDULE_DELAY: "50", OTEL_SERVICE_NAME: "tdk-under-test" })
    try {
      await g.seedPool(1)
      const { key } = await register(g)
      const call = await readJson(await g.request("/v1/agents/title-generator", { method: "POST", headers: bearer(key), json: { text: "traced" } }))
      expect(call.status).toBe(200)
      const requestId = call.body.usage.request_id as string
      const deadline = Date.now() + 10_000
      const names = () => new Set(receiver.spans.filter((s) => attribute(s, "request_id") === requestId).map((s) => s.name))
      while (!["Gateway.callAgent", "Gateway.submit", "Gateway.claim", "Marketplace.call"].every((n) => names().has(n)) && Date.now() < deadline) await Bun.sleep(50)
      expect([...names()]).toEqual(expect.arrayContaining(["Gateway.callAgent", "Gateway.ownPayment", "Gateway.claim", "Gateway.submit", "ConcurrencyLimiter.admit", "Marketplace.buildTransaction", "Marketplace.call"]))
      expect(receiver.spans.every((s) => s.service === "tdk-under-test")).toBe(true)
      // No secret in any span attribute.
      expect(JSON.stringify(receiver.spans)).not.toContain(key)
    } finally {
      await g.close()
    }
  })
})
