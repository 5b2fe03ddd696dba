// The HTTP edge's answers to bad requests: each a problem document with the
// right status, and the request id echoed.
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { Elysia, t } from "elysia"
import { makeTestApp, readJson, type TestApp } from "../support/app"

let h: TestApp
// A throwaway route with a JSON body, mounted on the test app only, so the
// edge rules are exercised before any feature route exists.
const echo = new Elysia().post("/test/echo", ({ body }) => body, { body: t.Object({ name: t.String({ maxLength: 10 }) }) })

beforeAll(async () => {
  h = await makeTestApp("sqlite", { BODY_LIMIT_BYTES: "2048" })
  h.app.use(echo)
})
afterAll(() => h.close())

const post = (body: BodyInit, contentType = "application/json", headers: Record<string, string> = {}) =>
  h.app.handle(new Request("http://localhost/test/echo", { method: "POST", body, headers: { "content-type": contentType, ...headers } })).then(readJson)

describe("HTTP edge", () => {
  test("a well-formed body reaches the route", async () => {
    expect(await post(JSON.stringify({ name: "ok" }))).toMatchObject({ status: 200, body: { name: "ok" } })
  })

  test("malformed JSON is a 400 problem document", async () => {
    const r = await post("{bad json")
    expect(r).toMatchObject({ status: 400, body: { code: "malformed_json", status: 400, title: "Malformed JSON" } })
    expect(r.headers.get("content-type")).toBe("application/problem+json")
    expect(r.body.request_id).toStartWith("req_")
  })

  test("a body over the limit is a 413 problem document", async () => {
    const r = await post(JSON.stringify({ name: "x".repeat(4000) }))
    expect(r).toMatchObject({ status: 413, body: { code: "body_too_large", limit_bytes: 2048 } })
  })

  test("a body over the limit without a content-length is still a 413", async () => {
    const stream = new ReadableStream({
      start(c) {
        c.enqueue(new TextEncoder().encode(JSON.stringify({ name: "y".repeat(5000) })))
        c.close()
      },
    })
    const r = await readJson(await h.app.handle(new Request("http://localhost/test/echo", { method: "POST", body: stream, headers: { "content-type": "application/json" } })))
    expect(r).toMatchObject({ status: 413, body: { code: "body_too_large" } })
  })

  test("a body nesting arrays or objects deeper than 64 levels is a 400 problem document", async () => {
    expect(await post("[".repeat(1000) + "]".repeat(1000))).toMatchObject({ status: 400, body: { code: "json_too_deep", max_depth: 64 } })
    // Brackets inside a string are text, not nesting: the route's own schema decides.
    expect(await post(JSON.stringify({ name: "[[[[{{{{" }))).toMatchObject({ status: 200, body: { name: "[[[[{{{{" } })
  })

  test("a JSON body that is not an object (number, string, null, array) is a 422, not quietly read as {}", async () => {
    for (const body of ["7", '"name"', "null", "[]", '[{"name":"ok"}]']) {
      expect({ body, r: await post(body) }).toMatchObject({ body, r: { status: 422, body: { code: "invalid_input", errors: [{ field: "(body)" }] } } })
    }
  })

  test("a non-JSON content type is a 415 problem document", async () => {
    expect(await post("name=x", "application/x-www-form-urlencoded")).toMatchObject({ status: 415, body: { code: "unsupported_media_type" } })
    expect(await post("hello", "text/plain")).toMatchObject({ status: 415, body: { code: "unsupported_media_type" } })
  })

  test("a body that breaks the route's schema is a 422 naming the field", async () => {
    const r = await post(JSON.stringify({ name: 42 }))
    expect(r).toMatchObject({ status: 422, body: { code: "invalid_input" } })
    expect(r.body.errors.map((e: { field: string }) => e.field)).toContain("name")
  })

  test("an unknown route is a 404 problem document", async () => {
    const r = await readJson(await h.request("/no/such/route"))
    expect(r).toMatchObject({ status: 404, body: { code: "route_not_found", status: 404 } })
  })

  test("a caller's X-Request-Id is echoed on success and in problems; a hostile one is replaced", async () => {
    const ok = await h.request("/healthz", { headers: { "x-request-id": "abc-123" } })
    expect(ok.headers.get("x-request-id")).toBe("abc-123")
    const bad = await post("{", "application/json", { "x-request-id": "trace-9" })
    expect(bad.body.request_id).toBe("trace-9")
    expect(bad.headers.get("x-request-id")).toBe("trace-9")
    const hostile = await h.request("/healthz", { headers: { "x-request-id": "<script>alert(1)</script>" } })
    expect(hostile.headers.get("x-request-id")).toStartWith("req_")
  })

  test("every log line is JSON and carries the request id it belongs to", async () => {
    h.logs.length = 0
    await h.request("/readyz", { headers: { "x-request-id": "log-check-1" } })
    await Bun.sleep(10) // the access line is written after the response
    const lines = h.logs.map((l) => JSON.parse(l))
    expect(lines.length).toBeGreaterThan(0)
    expect(lines.find((l) => l.msg === "request" && l.request_id === "log-check-1")).toMatchObject({ request_id: "log-check-1", path: "/readyz", status: 200 })
  })
})
