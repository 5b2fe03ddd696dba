// The console is a view over the public API: each page reads, and each form
// acts, through the same routes a developer calls, handled in process. So
// the console can do exactly what the API allows, with the same checks,
// limits and errors, and has no data path of its own. The caller's session
// cookie (or, for the operator console, the admin token the server holds) is
// passed on; the client's address goes along for sign-in throttling.
import { requestIdOf } from "../../platform/http/request-id"
import { inheritPeer } from "../auth/client-address"

export type ApiAnswer = { readonly status: number; readonly body: any; readonly headers: Headers }

export type ApiAuth = { readonly cookie?: string | undefined; readonly bearer?: string | undefined }

export type InternalApi = (
  outer: Request,
  method: "GET" | "POST" | "PATCH" | "DELETE",
  path: string,
  options?: { readonly auth?: ApiAuth; readonly json?: unknown },
) => Promise<ApiAnswer>

export const internalApi =
  (handle: () => (request: Request) => Promise<Response>): InternalApi =>
  async (outer, method, path, options = {}) => {
    const headers = new Headers({ accept: "application/json" })
    const forwarded = outer.headers.get("x-forwarded-for")
    if (forwarded) headers.set("x-forwarded-for", forwarded)
    if (options.auth?.cookie) headers.set("cookie", options.auth.cookie)
    if (options.auth?.bearer) headers.set("authorization", `Bearer ${options.auth.bearer}`)
    if (options.json !== undefined) headers.set("content-type", "application/json")
    // The page's own request id and abort signal go along: one id in the logs, and a page the browser left stops its reads.
    headers.set("x-request-id", requestIdOf(outer))
    const request = new Request(new URL(path, "http://console.internal"), { method, headers, signal: outer.signal, ...(options.json !== undefined ? { body: JSON.stringify(options.json) } : {}) })
    inheritPeer(outer, request)
    const response = await handle()(request)
    const text = await response.text()
    let body: unknown = text
    if ((response.headers.get("content-type") ?? "").includes("json")) {
      try {
        body = JSON.parse(text)
      } catch {
        body = text
      }
    }
    return { status: response.status, body, headers: response.headers }
  }
