// The listening server's own edge, below the routes: requests that only a
// real socket can send, and bodies that Bun itself would stop.
import type { Server } from "bun"
import { afterAll, beforeAll, expect, test } from "bun:test"
import { listen } from "../../src/app/server"
import { freePort } from "../../scripts/services"
import { makeTestApp, readJson, waitForLog, type TestApp } from "../support/app"

let h: TestApp
let server: Server<undefined>
let base: string
beforeAll(async () => {
  h = await makeTestApp("sqlite", { BODY_LIMIT_BYTES: "2048" })
  server = listen(h.config, (r) => h.app.handle(r), freePort())
  base = `http://127.0.0.1:${server.port}`
})
afterAll(async () => {
  server.stop(true)
  await h.close()
})

/** Sends raw bytes and returns everything the server answers until it closes the connection. */
const raw = (text: string) =>
  new Promise<string>((resolve, reject) => {
    let answer = ""
    void Bun.connect({
      hostname: "127.0.0.1",
      port: server.port!,
      socket: {
        open: (socket) => void socket.write(text),
        data: (_socket, data) => void (answer += Buffer.from(data).toString()),
        close: () => resolve(answer),
        error: (_socket, error) => reject(error),
      },
    })
  })

test("a request without a Host header (HTTP/1.0) is answered, logged, and the server keeps serving", async () => {
  h.logs.length = 0
  const answer = await raw("GET /healthz HTTP/1.0\r\n\r\n")
  expect(answer).toMatch(/^HTTP\/1\.[01] 200/)
  // The access line is written after the response.
  await waitForLog(h.logs, (line) => line.includes('"path":"/healthz"'))
  expect((await fetch(`${base}/healthz`)).status).toBe(200)
})

test("a body over BODY_LIMIT_BYTES is a 413 problem document from the listening server, with or without a declared length", async () => {
  const big = JSON.stringify({ email: "x".repeat(10_000) })
  const declared = await readJson(await fetch(`${base}/v1/auth/register`, { method: "POST", headers: { "content-type": "application/json" }, body: big }))
  expect(declared).toMatchObject({ status: 413, body: { code: "body_too_large", limit_bytes: 2048 } })
  expect(declared.headers.get("content-type")).toBe("application/problem+json")
  const stream = new ReadableStream({
    start(c) {
      for (let i = 0; i < 10; i++) c.enqueue(new TextEncoder().encode("x".repeat(1000)))
      c.close()
    },
  })
  const chunked = await readJson(await fetch(`${base}/v1/auth/register`, { method: "POST", headers: { "content-type": "application/json" }, body: stream }))
  expect(chunked).toMatchObject({ status: 413, body: { code: "body_too_large" } })
})

test("a short or absent Host still routes: Host: api, Host: db:80, Host: a:1 and HTTP/1.0 without Host answer /healthz with 200", async () => {
  for (const request of ["GET /healthz HTTP/1.1\r\nHost: api\r\nConnection: close\r\n\r\n", "GET /healthz HTTP/1.1\r\nHost: db:80\r\nConnection: close\r\n\r\n", "GET /healthz?x=1 HTTP/1.1\r\nHost: a:1\r\nConnection: close\r\n\r\n", "GET /healthz HTTP/1.0\r\n\r\n"]) {
    const answer = await raw(request)
    expect({ request, status: answer.split("\r\n")[0] }).toEqual({ request, status: "HTTP/1.1 200 OK" })
    expect(answer).toContain('{"status":"ok"}')
  }
  // A POST keeps its body through the rewrite: the account it carries is created.
  const body = JSON.stringify({ email: "short-host@example.com", password: "a long passphrase" })
  const answer = await raw(`POST /v1/auth/register HTTP/1.1\r\nHost: api\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`)
  expect(answer.split("\r\n")[0]).toBe("HTTP/1.1 201 Created")
  expect(answer).toContain('"email":"short-host@example.com"')
})
