// Sandbox answers in the protocol's envelope (`{ ok, ... }` / `{ ok: false,
// error }`) and JSON-RPC in its own, because the gateway's clients must meet
// the same shapes as on the real networks. Problem documents stay for the
// gateway's own API.
import { Cause, Effect, Exit } from "effect"
import { platformProblemOf } from "../../platform/http/problems"
import { requestIdOf } from "../../platform/http/request-id"
import { SandboxRefusal } from "./errors"
import { rpcErrors } from "./rpc"
import type { Sandbox } from "./service"
import { urlOf } from "../../platform/http/request-url"

/** Runs a sandbox program to its exit: on the app's runtime when served over HTTP, on captured services in process. */
export type SandboxRunner = <A, E>(program: Effect.Effect<A, E, Sandbox>) => Promise<Exit.Exit<A, E>>

export type EnvelopeRespond = <A>(request: Request, program: Effect.Effect<A, SandboxRefusal, Sandbox>) => Promise<Response>

export const envelope = (status: number, body: unknown, requestId: string) =>
  Response.json(body, { status, headers: { "x-request-id": requestId } })

export const makeEnvelopeRespond = (run: SandboxRunner): EnvelopeRespond => async (request, program) => {
  const requestId = requestIdOf(request)
  // Not tied to request.signal: like the real platform, a call the client
  // stops waiting for still settles (or refunds) — the "unknown outcome" case.
  const exit = await run(program.pipe(Effect.annotateLogs({ request_id: requestId })))
  if (Exit.isSuccess(exit)) return envelope(200, exit.value, requestId)
  const failure = Cause.findErrorOption(exit.cause)
  if (failure._tag === "Some" && failure.value instanceof SandboxRefusal) return envelope(failure.value.status, { ok: false, error: failure.value.error }, requestId)
  await run(Effect.logError("sandbox failure", { cause: Cause.pretty(exit.cause) }).pipe(Effect.annotateLogs({ request_id: requestId })))
  return envelope(500, { ok: false, error: "Internal sandbox error" }, requestId)
}

const fieldsOf = (error: unknown): string => {
  const all = (error as { all?: ReadonlyArray<{ path?: string; summary?: string; message?: string }> }).all ?? []
  return all
    .slice(0, 5)
    .map((e) => `${(e.path ?? "").replace(/^\//, "").replaceAll("/", ".") || "body"}: ${e.summary ?? e.message ?? "invalid"}`)
    .join("; ")
}

/**
 * The edge's answer for a request to an existing sandbox route that failed
 * before its handler (bad JSON, schema, body size). Undefined elsewhere, so
 * unknown paths keep the global 404 problem.
 */
export const sandboxEdgeError = (code: string | number, error: unknown, request: Request): Response | undefined => {
  const path = urlOf(request).pathname
  if (!path.startsWith("/sandbox/") || code === "NOT_FOUND") return undefined
  const requestId = requestIdOf(request)
  const cause = code === "PARSE" ? ((error as { cause?: unknown }).cause ?? error) : error
  // The edge's own refusals (bad JSON, body size, media type) in the sandbox's envelope.
  const edge = platformProblemOf(cause, requestId)
  if (path === "/sandbox/solana") {
    const rpcError = code === "PARSE" || edge?.body.code === "malformed_json" ? rpcErrors.parse : rpcErrors.invalidRequest
    return envelope(rpcError === rpcErrors.parse ? 400 : 200, { jsonrpc: "2.0", id: null, error: rpcError }, requestId)
  }
  if (edge) return envelope(edge.body.status, { ok: false, error: edge.body.detail }, requestId)
  if (code === "PARSE") return envelope(400, { ok: false, error: "The request body is not valid JSON" }, requestId)
  if (code === "VALIDATION") return envelope(400, { ok: false, error: `Invalid request: ${fieldsOf(error)}` }, requestId)
  return undefined
}
