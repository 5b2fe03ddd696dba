// One HTTP exchange with the marketplace over fetch. The time limit
// is an AbortSignal on wall time and covers reading the body too, so a server
// that sends headers and then stalls cannot hold a request open.
import { Data, Effect } from "effect"
import { withoutUrls } from "./sanitize"

export type HttpAnswer = { readonly status: number; readonly contentType: string; readonly text: string }

/**
 * `not_sent`: the connection was never established (refused, name not
 * resolved), so the server cannot have seen the request. `lost`: anything
 * else (reset, closed mid-answer), after which the request may have arrived.
 */
export class TransportFailed extends Data.TaggedError("TransportFailed")<{
  readonly kind: "timeout" | "not_sent" | "lost"
  readonly reason: string
}> {}

// Failures of connect() or of name resolution: no request byte left the machine.
const notSentCodes = new Set(["ECONNREFUSED", "ConnectionRefused", "ENOTFOUND", "EAI_AGAIN", "EAI_NONAME", "DNSException"])

const toFailure = (e: unknown, baseUrl: string): TransportFailed => {
  const err = e as { name?: string; code?: string; message?: string }
  if (err?.name === "TimeoutError") return new TransportFailed({ kind: "timeout", reason: "timed out" })
  const code = typeof err?.code === "string" ? err.code : undefined
  // Only the code and message: Bun's fetch errors also carry `path`, the full URL.
  const message = withoutUrls(typeof err?.message === "string" ? err.message : String(e), [baseUrl]).slice(0, 200)
  return new TransportFailed({ kind: code !== undefined && notSentCodes.has(code) ? "not_sent" : "lost", reason: message })
}

export const send = (request: {
  readonly baseUrl: string
  readonly method: "GET" | "POST"
  readonly path: string
  readonly body?: unknown
  readonly timeoutMs: number
  /** The global fetch unless given (the in-process sandbox serves test keys without a socket). */
  readonly fetch?: typeof fetch
}): Effect.Effect<HttpAnswer, TransportFailed> =>
  Effect.tryPromise({
    try: async (interrupted) => {
      const signal = AbortSignal.any([interrupted, AbortSignal.timeout(request.timeoutMs)])
      const res = await (request.fetch ?? fetch)(`${request.baseUrl}${request.path}`, {
        method: request.method,
        headers: { accept: "application/json", ...(request.body !== undefined ? { "content-type": "application/json" } : {}) },
        ...(request.body !== undefined ? { body: JSON.stringify(request.body) } : {}),
        signal,
        // A redirected POST could be replayed as something else: surface it instead.
        redirect: request.method === "GET" ? "follow" : "manual",
      })
      const text = await res.text()
      return { status: res.status, contentType: res.headers.get("content-type") ?? "", text }
    },
    catch: (e) => toFailure(e, request.baseUrl),
  })
