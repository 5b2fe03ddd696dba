// A test app behind a real listening socket, and requests to it from a
// chosen loopback source address (127.0.0.0/8 is all loopback on Linux), so
// the server sees different clients without any header.
import http from "node:http"
import { listen } from "../../src/app/server"
import type { TestApp } from "./app"

export type Served = {
  readonly port: number
  /** POSTs JSON from `from` (a loopback address); headers as given. */
  readonly post: (from: string, path: string, json: unknown, headers?: Record<string, string>) => Promise<{ status: number; body: any; headers: http.IncomingHttpHeaders }>
  readonly stop: () => void
}

export const serve = (h: TestApp): Served => {
  const server = listen({ ...h.config, host: "127.0.0.1" }, (request) => h.app.handle(request), 0)
  const port = server.port!
  return {
    port,
    post: (from, path, json, headers = {}) =>
      new Promise((resolve, reject) => {
        const body = JSON.stringify(json)
        const req = http.request(
          { host: "127.0.0.1", port, path, method: "POST", localAddress: from, headers: { "content-type": "application/json", "content-length": String(Buffer.byteLength(body)), ...headers } },
          (res) => {
            let text = ""
            res.on("data", (c) => (text += c))
            res.on("end", () => {
              let parsed: unknown
              try {
                parsed = JSON.parse(text)
              } catch {
                parsed = text
              }
              resolve({ status: res.statusCode ?? 0, body: parsed, headers: res.headers })
            })
          },
        )
        req.on("error", reject)
        req.end(body)
      }),
    stop: () => server.stop(true),
  }
}
