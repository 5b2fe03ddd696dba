// One agent call, as its list of steps. Each step is an Effect.fn (spans
// carry its name); the paid part runs in a scope whose one resource is the
// call's row, released if anything fails after it is recorded (with its
// payment, in one commit) and before submit takes it over.
import { Clock, Effect } from "effect"
import { periodOf } from "../../platform/period"
import { requestIdOf } from "../../platform/http/request-id"
import type { KeyIdentity } from "../keys/identity"
import { ApiKeys } from "../keys/verifier"
import { withAdmissionBeside } from "../limits/admission-beside"
import { rateLimitHeaders } from "../limits/headers"
import type { AgentDirectoryShape } from "../network/agents"
import { networkFor, type NetworkShape } from "../network/service"
import { QuotaExhausted } from "./errors"
import { idempotent, requestHash } from "./idempotency"
import { requireCardIfConfigured } from "./steps/card"
import { ownPayment } from "./steps/payment"
import { reserveCall, type CallContext } from "./steps/reserve"
import { submitAndSettle } from "./steps/submit"
import { recordCall } from "./call-metrics"
import { CallTimings, nameCallAgent } from "../../platform/metrics"

/** Which agent the request names, on the directory of the key's network. */
export type AgentChoice<E> = (directory: AgentDirectoryShape) => Effect.Effect<string, E>

export const agentCallPipeline = <E>(request: Request, chooseAgent: AgentChoice<E>, input: Record<string, unknown>) => {
  // For the metrics: the agent once known, and the time the marketplace's requests take.
  const timings: { marketplaceMs: number; agent?: string } = { marketplaceMs: 0 }
  const startedAt = performance.now()
  return Effect.gen(function* () {
    const identity = yield* Effect.flatMap(ApiKeys, (keys) => keys.authenticate(request.headers.get("authorization"))) // authenticate
    const network = yield* networkFor(identity.environment) // the key's network: live, or the sandbox for a test key
    yield* requireCardIfConfigured(identity) // card (REQUIRE_CARD_FOR_FREE, live keys)
    const agentId = yield* chooseAgent(network.directory) // agent
    const requestId = requestIdOf(request)
    const idempotencyKey = request.headers.get("idempotency-key") ?? undefined
    return yield* idempotent(identity.keyId, idempotencyKey ?? null, () => requestHash("POST", agentId, JSON.stringify(input)), requestId, // idempotency
      // rate and concurrency: one step, asked beside the payment's build and awaited before it is signed
      withAdmissionBeside(identity.keyId, identity.limits.ratePerMinute, identity.limits.concurrency, (admitted) => paidCall(identity, network, { agentId, requestId, idempotencyKey, admitted }, input)).pipe(
        Effect.map(({ value, decision }) => ({ status: 200, body: value, headers: rateLimitHeaders(decision) })), // respond
      ),
    )
  }).pipe(
    Effect.provideService(CallTimings, timings),
    Effect.onExit((exit) => recordCall(exit, timings.agent ?? "unknown", timings.marketplaceMs, startedAt)), // metrics
  )
}

/** The paid part: price → payment (wallet, build, policy, admission, sign, record with quota and cap) → submit → settle. */
export const paidCall = (identity: KeyIdentity, network: NetworkShape, call: CallContext, input: Record<string, unknown>) =>
  Effect.scoped(
    Effect.gen(function* () {
      if (identity.limits.monthlyQuota !== null && identity.limits.monthlyQuota <= 0) return yield* quotaOfZero // quota 0: refused before any work
      const reservation = yield* reserveCall() // the call's row: its id and month; written by claim
      const agent = yield* network.marketplace.getAgent(call.agentId) // price: the agent as listed now
      yield* nameCallAgent(agent.id)
      const payment = yield* ownPayment(identity, network, agent, input, { ...call, ...reservation }) // wallet, build, policy, sign, claim: the one commit, with quota and cap
      return yield* submitAndSettle(identity, network, call, reservation, agent, payment) // submit, settle
    }),
  ).pipe(Effect.withSpan("Gateway.callAgent"))

const quotaOfZero = Effect.flatMap(Clock.currentTimeMillis, (now) => new QuotaExhausted({ limit: 0, used: 0, period: periodOf(now) }))
