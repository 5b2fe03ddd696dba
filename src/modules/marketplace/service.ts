// The Tetto marketplace over HTTP: the same client for mainnet, devnet and the
// sandbox. Reads and builds are retried on transient failures; a submit is
// sent exactly once, because a second send could pay twice.
import { Clock, Deferred, Duration, Effect, Schedule } from "effect"
import { makeAgentCache } from "./agent-cache"
import { classifyFailure, classifyMalformedSuccess, parseBody, type Operation } from "./classify"
import { decodeAgent, decodeAgentPage, decodeBuild, decodeCall, decodeReceipt, type AgentPage, type BuiltTransaction, type CallResult, type Decoded } from "./decode"
import {
  AgentNotFound,
  CallOutcomeUnknown,
  isTransient,
  MarketplaceTimedOut,
  MarketplaceUnreachable,
  ReceiptNotFound,
  type MarketplaceError,
} from "./errors"
import { send, type TransportFailed } from "./http"
import { paths, type BuildTransactionRequest, type CallRequest, type WireAgent, type WireReceipt } from "./protocol"
import { firstSignature } from "./signature"
import { isUuid } from "../../platform/ids"
import { addMarketplaceTime, marketplaceRequests, measured } from "../../platform/metrics"

export type MarketplaceOptions = {
  readonly baseUrl: string
  /** Per attempt of a read or build, ms. */
  readonly timeoutMs: number
  /** For a submit, ms. */
  readonly callTimeoutMs: number
  readonly agentCacheTtlMs: number
  /** Total attempts of a read or build (1 = no retry). */
  readonly readAttempts: number
  /** First retry delay, ms; doubled per attempt, jittered. */
  readonly retryBaseMs: number
  /** The global fetch unless given (see http.ts). */
  readonly fetch?: typeof fetch
}

export type MarketplaceShape = {
  /** One page of the catalogue; `limit` 1–1000 (default 50). */
  readonly listAgents: (page?: { readonly limit?: number; readonly offset?: number }) => Effect.Effect<AgentPage, MarketplaceError>
  /** One agent with its current price, served from the cache for up to the TTL. */
  readonly getAgent: (agentId: string) => Effect.Effect<WireAgent, MarketplaceError>
  /** Asks the platform for an unsigned payment transaction and its quote. */
  readonly buildTransaction: (agentId: string, request: BuildTransactionRequest) => Effect.Effect<BuiltTransaction, MarketplaceError>
  /** Submits a signed payment and returns the agent's output. Never retried. */
  readonly call: (request: CallRequest) => Effect.Effect<CallResult, MarketplaceError>
  readonly getReceipt: (receiptId: string) => Effect.Effect<WireReceipt, MarketplaceError>
}


type Obj = Record<string, unknown>

export const makeMarketplace = (options: MarketplaceOptions): MarketplaceShape => {
  const cache = makeAgentCache(options.agentCacheTtlMs)
  const urls = [options.baseUrl]

  /** Sends once and returns the success body, or the classified failure; counted and timed for the metrics. */
  const exchange = <A>(
    op: Operation,
    request: { readonly method: "GET" | "POST"; readonly path: string; readonly body?: unknown; readonly timeoutMs: number },
    onTransport: (f: TransportFailed) => MarketplaceError,
    decode: (body: Obj) => Decoded<A>,
  ): Effect.Effect<A, MarketplaceError> =>
    measured(
      marketplaceRequests,
      op.label,
      send({ baseUrl: options.baseUrl, ...request, ...(options.fetch ? { fetch: options.fetch } : {}) }).pipe(
        Effect.mapError(onTransport),
        Effect.flatMap((answer): Effect.Effect<A, MarketplaceError> => {
          const body = parseBody(answer.text, answer.contentType)
          const success = answer.status >= 200 && answer.status < 300
          if (body.json && typeof body.value === "object" && body.value !== null && !Array.isArray(body.value)) {
            const value = body.value as Obj
            if (success && value.ok === true) {
              const decoded = decode(value)
              return decoded.ok ? Effect.succeed(decoded.value) : Effect.fail(classifyMalformedSuccess(op, answer.status, decoded.reason))
            }
            if (success && value.ok !== false) return Effect.fail(classifyMalformedSuccess(op, answer.status, "no ok field"))
          } else if (body.json && success) {
            return Effect.fail(classifyMalformedSuccess(op, answer.status, "the body is not a JSON object"))
          }
          return Effect.fail(classifyFailure(op, answer.status, body, urls))
        }),
      ),
      { onTime: addMarketplaceTime },
    )

  const readTransport = (op: Operation, timeoutMs: number) => (f: TransportFailed): MarketplaceError =>
    f.kind === "timeout"
      ? new MarketplaceTimedOut({ operation: op.label, timeoutMs })
      : new MarketplaceUnreachable({ operation: op.label, reason: f.reason, sent: f.kind !== "not_sent" })

  const retrying = <A>(op: Operation, effect: Effect.Effect<A, MarketplaceError>) =>
    effect.pipe(
      Effect.tapError((e) =>
        isTransient(e) ? Effect.logWarning("marketplace request failed", { operation: op.label, error: e._tag }) : Effect.void,
      ),
      Effect.retry({
        schedule: Schedule.exponential(Duration.millis(options.retryBaseMs)).pipe(Schedule.jittered),
        times: options.readAttempts - 1,
        while: isTransient,
      }),
    )

  const read = <A>(op: Operation, path: string, decode: (body: Obj) => Decoded<A>) =>
    retrying(op, exchange(op, { method: "GET", path, timeoutMs: options.timeoutMs }, readTransport(op, options.timeoutMs), decode))

  const agentOp = (agentId: string, label: string): Effect.Effect<Operation, AgentNotFound> =>
    isUuid(agentId) ? Effect.succeed({ kind: "agent", label, agentId }) : Effect.fail(new AgentNotFound({ agentId: agentId.slice(0, 100), reason: "malformed_id" }))

  const listAgents = Effect.fn("Marketplace.listAgents")(function* (page?: { readonly limit?: number; readonly offset?: number }) {
    const limit = Math.min(1000, Math.max(1, Math.trunc(page?.limit ?? 50)))
    const offset = Math.max(0, Math.trunc(page?.offset ?? 0))
    const op: Operation = { kind: "list", label: "list agents" }
    return yield* read(op, `${paths.listAgents}?limit=${limit}&offset=${offset}`, decodeAgentPage)
  })

  // One fetch in flight per agent: calls that miss the cache together wait for
  // it instead of each sending its own (a cold cache sent 106 GETs at once).
  const inflight = new Map<string, Deferred.Deferred<WireAgent, MarketplaceError>>()

  const getAgent = Effect.fn("Marketplace.getAgent")(function* (agentId: string) {
    const op = yield* agentOp(agentId, "get agent")
    const before = yield* Clock.currentTimeMillis
    const hit = cache.get(agentId, before)
    if (hit !== undefined) return hit
    const pending = inflight.get(agentId)
    if (pending !== undefined) return yield* Deferred.await(pending)
    // From registering the fetch to answering its waiters nothing may be
    // interrupted (the read is bounded by its timeouts): a leader whose client
    // went away would otherwise leave the agent's waiters, and every later
    // caller, waiting forever.
    const exit = yield* Effect.suspend(() => {
      const shared = Deferred.makeUnsafe<WireAgent, MarketplaceError>()
      inflight.set(agentId, shared)
      return read(op, paths.agent(agentId), (body) => decodeAgent(body.agent)).pipe(
        Effect.exit,
        Effect.tap((exit) =>
          Effect.gen(function* () {
            inflight.delete(agentId)
            if (exit._tag === "Success") cache.set(agentId, exit.value, yield* Clock.currentTimeMillis)
            yield* Deferred.done(shared, exit)
          }),
        ),
      )
    }).pipe(Effect.uninterruptible)
    return yield* exit
  })

  const buildTransaction = Effect.fn("Marketplace.buildTransaction")(function* (agentId: string, request: BuildTransactionRequest) {
    const op = yield* agentOp(agentId, "build transaction")
    // Building moves no money and a fresh intent supersedes an orphaned one, so it is retried like a read.
    return yield* retrying(
      op,
      exchange(op, { method: "POST", path: paths.buildTransaction(agentId), body: request, timeoutMs: options.timeoutMs }, readTransport(op, options.timeoutMs), decodeBuild),
    )
  })

  const call = Effect.fn("Marketplace.call")(function* (request: CallRequest) {
    const op = {
      kind: "call",
      label: "call agent",
      paymentIntentId: request.payment_intent_id,
      txSignature: firstSignature(request.signed_transaction),
    } as const
    const onTransport = (f: TransportFailed): MarketplaceError =>
      f.kind === "not_sent"
        ? new MarketplaceUnreachable({ operation: op.label, reason: f.reason, sent: false })
        : new CallOutcomeUnknown({
            paymentIntentId: op.paymentIntentId,
            txSignature: op.txSignature,
            reason: f.kind === "timeout" ? `no answer within ${options.callTimeoutMs} ms` : `connection lost: ${f.reason}`,
          })
    return yield* exchange(op, { method: "POST", path: paths.call, body: request, timeoutMs: options.callTimeoutMs }, onTransport, decodeCall)
  })

  const getReceipt = Effect.fn("Marketplace.getReceipt")(function* (receiptId: string) {
    if (!isUuid(receiptId)) return yield* Effect.fail(new ReceiptNotFound({ receiptId: receiptId.slice(0, 100) }))
    const op: Operation = { kind: "receipt", label: "get receipt", receiptId }
    return yield* read(op, paths.receipt(receiptId), decodeReceipt)
  })

  return { listAgents, getAgent, buildTransaction, call, getReceipt }
}
