// The sandbox served without a socket: a fetch that hands each request to the
// sandbox's own routes in this process. Test keys reach the sandbox through it
// on every network, with the same marketplace and RPC clients (and so the same
// wire shapes and error classification) that live keys use over HTTP; on
// devnet and mainnet nothing of the sandbox is reachable from outside.
import { Elysia } from "elysia"
import { requestIdOf } from "../../platform/http/request-id"
import { envelope, sandboxEdgeError, type SandboxRunner } from "./envelope"
import { sandboxRoutes } from "./routes"
import { IN_PROCESS_MARKETPLACE_URL, IN_PROCESS_RPC_URL } from "./urls"

export const inProcessSandbox = (run: SandboxRunner) => {
  const app = new Elysia()
    .onError(({ code, error, request }) => sandboxEdgeError(code, error, request) ?? envelope(code === "NOT_FOUND" ? 404 : 500, { ok: false, error: code === "NOT_FOUND" ? "Not found" : "Internal sandbox error" }, requestIdOf(request)))
    .use(sandboxRoutes(run))
  const handle = (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const request = input instanceof Request ? input : new Request(input, init)
    const signal = init?.signal ?? request.signal
    // Like fetch: a time limit or an interrupt rejects with the signal's reason,
    // though the sandbox keeps working on what it was given (a real server would too).
    if (signal.aborted) return Promise.reject(signal.reason)
    return new Promise<Response>((resolve, reject) => {
      const abort = () => reject(signal.reason)
      signal.addEventListener("abort", abort, { once: true })
      app.handle(request).then(
        (response) => {
          signal.removeEventListener("abort", abort)
          resolve(response)
        },
        (e) => {
          signal.removeEventListener("abort", abort)
          reject(e)
        },
      )
    })
  }
  return {
    fetch: handle as typeof fetch,
    marketplaceUrl: IN_PROCESS_MARKETPLACE_URL,
    rpcUrl: IN_PROCESS_RPC_URL,
  }
}
